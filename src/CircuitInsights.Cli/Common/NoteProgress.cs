namespace CircuitInsights.Cli.Common;

/// <summary>Progress notes written at once, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
public sealed class NoteProgress(CliIO io) : IProgress<string>
{
    public void Report(string value) => io.Note(value);
}
