using System.CommandLine;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>cache-merge</c>: combine the caches of corpus shards into one and finalize it.</summary>
public static class CacheMergeCommand
{
    public static Command Create(CliIO io)
    {
        var shards = new Argument<string[]>("shards") { Description = "Shard cache folders (from cache --shard i/n).", Arity = ArgumentArity.OneOrMore };
        var model = ModelOptions.Model();
        var output = new Option<string>("--out", "-o") { Description = "Merged cache folder.", Required = true };
        var sampling = new SamplingCliOptions("", merging: true);
        var cmd = new Command("cache-merge", "Merge activation caches of corpus shards (exactly equal to a single run) and sample contexts.");
        cmd.Arguments.Add(shards);
        cmd.Options.Add(model); cmd.Options.Add(output); foreach (var o in sampling.All) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            MergeCommand.MergeCaches(pr.GetValue(shards)!, pr.GetValue(output)!, pr.GetValue(model)!, sampling.Read(pr), io);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
