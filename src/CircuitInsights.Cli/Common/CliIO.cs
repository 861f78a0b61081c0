using Spectre.Console;

namespace CircuitInsights.Cli.Common;

/// <summary>Where commands write: results to <see cref="Out"/>, progress and notes to <see cref="Err"/> (so stdout stays pipeable).</summary>
public sealed class CliIO(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;

    /// <summary>A Spectre console on stderr for progress bars (renders only on a terminal).</summary>
    public IAnsiConsole ProgressConsole { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stderr),
        Interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected ? InteractionSupport.Yes : InteractionSupport.No,
    });

    public bool IsInteractive => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;

    public void Note(string message) => Err.WriteLine(message);
}
