using System.CommandLine;
using CircuitInsights.Cli.Commands;
using CircuitInsights.Cli.Common;

namespace CircuitInsights.Cli;

/// <summary>
/// The <c>circuit-insights</c> command line. Every error ends the process with a non-zero code and one line on stderr:
/// exit 2 for bad arguments, 1 for bad input (files, values), 70 for internal errors (stack trace with --verbose).
/// </summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, null);

    /// <param name="hubOptions">How to reach the hub when a command resolves <c>org/name</c> or <c>hf://</c> (default: the environment; tests pass a mock).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<Hub.HubClientOptions>? hubOptions)
    {
        var io = new CliIO(stdout, stderr);
        var root = new RootCommand("CircuitInsights: explain sparse-transcoder features of language models from weights (WeightLens) and circuits (CircuitLens).");
        root.Options.Add(GlobalOptions.Threads);
        root.Options.Add(GlobalOptions.Verbose);
        foreach (var command in CommandCatalog.Create(io)) root.Subcommands.Add(command);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string path = string.Join(' ', CommandPath(parse).Prepend("circuit-insights"));
            stderr.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message).Distinct())} (run '{path} --help' for usage)");
            return ExitCodes.BadArguments;
        }
        bool verbose = parse.GetValue(GlobalOptions.Verbose);
        using var hub = CliHub.Install(io, hubOptions);
        try
        {
            if (parse.GetValue(GlobalOptions.Threads) is int threads and > 0) Tensors.ComputeSettings.Threads = threads;
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (Exception ex)
        {
            return ReportError(ex, stderr, verbose);
        }
    }

    static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        return names;
    }

    /// <summary>Prints one line for the error and returns the exit code.</summary>
    public static int ReportError(Exception ex, TextWriter stderr, bool verbose)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        if (ex is AggregateException many && many.Flatten().InnerExceptions.FirstOrDefault(e => e is CircuitInsightsException) is { } first) ex = first;
        switch (ex)
        {
            case CircuitInsightsException user:
                stderr.WriteLine($"error: {OneLine(user.Message)}");
                if (verbose) stderr.WriteLine(user);
                return ExitCodes.BadInput;
            case OperationCanceledException:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;
            case IOException or UnauthorizedAccessException:
                stderr.WriteLine($"error: {OneLine(ex.Message)}");
                if (verbose) stderr.WriteLine(ex);
                return ExitCodes.BadInput;
            case OutOfMemoryException:
                stderr.WriteLine("error: out of memory; try fewer threads, a smaller batch or fewer layers");
                return ExitCodes.BadInput;
            default:
                stderr.WriteLine($"internal error: {ex.GetType().Name}: {OneLine(ex.Message)} (run with --verbose for details)");
                if (verbose) stderr.WriteLine(ex);
                return ExitCodes.Internal;
        }
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
