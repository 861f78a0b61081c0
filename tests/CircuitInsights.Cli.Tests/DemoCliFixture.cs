using CircuitInsights.Demo;
using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests;

/// <summary>The demo model generated once into a temp folder, and a helper that runs the CLI in-process.</summary>
public sealed class DemoCliFixture : IDisposable
{
    public string Directory { get; } = CheckpointDirectory.CreateTemp("ci-cli-demo");
    public DemoManifest Manifest { get; }
    public string Model => Path.Combine(Directory, Manifest.ModelDir);
    public string Transcoders => Path.Combine(Directory, Manifest.TranscodersDir);

    public DemoCliFixture() => Manifest = DemoModelGenerator.EnsureGenerated(Directory);

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, true);
}
