using System.Diagnostics;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli;
using CircuitInsights.Demo;
using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests.Commands;

/// <summary>The demo model written once for the CLI tests of a class.</summary>
public sealed class DemoModelFixture : IDisposable
{
    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-cli");
    public string Dir => Path.Combine(Root, "demo");
    public DemoManifest Manifest { get; }
    public string Model => Path.Combine(Dir, Manifest.ModelDir);
    public string Transcoders => Path.Combine(Dir, Manifest.TranscodersDir);
    public string Corpus => Path.Combine(Dir, Manifest.CorpusDir, "demo.jsonl");

    public DemoModelFixture() => Manifest = DemoModelGenerator.Generate(Dir);

    public void Dispose() => Directory.Delete(Root, true);
}

public class CacheCommandTests(DemoModelFixture demo) : IClassFixture<DemoModelFixture>
{
    string[] CacheArgs(string output, params string[] extra) =>
    [
        "cache", "--model", demo.Model, "--transcoders", demo.Transcoders, "--corpus", demo.Corpus, "--context-len", "48",
        "--max-tokens", "15000", "--batch-size", "4", "--checkpoint-windows", "24", "--out", output, .. extra,
    ];

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Cache_KilledWithSigkillAndRerun_EqualsUninterruptedRun()
    {
        string reference = Path.Combine(demo.Root, "cache-ref");
        var r = Run(CacheArgs(reference));
        Assert.True(r.Code == 0, r.Err);

        string killed = Path.Combine(demo.Root, "cache-killed");
        string dll = typeof(CliApp).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in CacheArgs(killed)) psi.ArgumentList.Add(a);
        using (var process = Process.Start(psi)!)
        {
            var deadline = DateTime.UtcNow.AddMinutes(5);
            // Wait for the first checkpoint, then let it run a little into the next interval and kill it hard.
            while (!(CacheManifest.TryLoad(killed) is { Status: "running", Windows: > 0 }) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Thread.Sleep(Random.Shared.Next(0, 400));
            if (!process.HasExited) process.Kill(entireProcessTree: true); // SIGKILL
            process.WaitForExit();
        }
        var partial = CacheManifest.TryLoad(killed);
        Assert.NotNull(partial);
        r = Run(CacheArgs(killed));
        Assert.True(r.Code == 0, r.Err);
        foreach (int layer in new[] { 0, 1, 2 })
            Assert.Equal(File.ReadAllBytes(CacheManifest.LayerFile(reference, layer)), File.ReadAllBytes(CacheManifest.LayerFile(killed, layer)));
        Assert.Equal(File.ReadAllBytes(CacheManifest.ContextsFile(reference)), File.ReadAllBytes(CacheManifest.ContextsFile(killed)));
        foreach (int layer in new[] { 0, 1, 2 })
            Assert.Equal(File.ReadAllBytes(CacheManifest.SamplesFile(reference, layer)), File.ReadAllBytes(CacheManifest.SamplesFile(killed, layer)));
    }

    [Fact]
    public void Cache_ShardsAsSeparateRunsThenMerge_EqualsSingleRun()
    {
        string single = Path.Combine(demo.Root, "cache-single");
        Assert.Equal(0, Run(CacheArgs(single)).Code);
        var shards = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string d = Path.Combine(demo.Root, $"cache-shard{i}");
            var r = Run(CacheArgs(d, "--shard", $"{i}/2"));
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains("cache-merge", r.Out);
            shards.Add(d);
        }
        string merged = Path.Combine(demo.Root, "cache-merged");
        var m = Run(["cache-merge", "--model", demo.Model, "--out", merged, .. shards]);
        Assert.True(m.Code == 0, m.Err);
        foreach (int layer in new[] { 0, 1, 2 })
        {
            Assert.Equal(File.ReadAllBytes(CacheManifest.LayerFile(single, layer)), File.ReadAllBytes(CacheManifest.LayerFile(merged, layer)));
            Assert.Equal(File.ReadAllBytes(CacheManifest.SamplesFile(single, layer)), File.ReadAllBytes(CacheManifest.SamplesFile(merged, layer)));
        }

        // the generic 'merge' recognises cache shards and gives the same cache
        string generic = Path.Combine(demo.Root, "cache-merged-generic");
        m = Run(["merge", "--model", demo.Model, "--out", generic, .. shards]);
        Assert.True(m.Code == 0, m.Err);
        Assert.Contains("cache shards", m.Out);
        foreach (int layer in new[] { 0, 1, 2 })
            Assert.Equal(File.ReadAllBytes(CacheManifest.SamplesFile(merged, layer)), File.ReadAllBytes(CacheManifest.SamplesFile(generic, layer)));

        // CircuitLens shards over the merged cache, joined by 'merge', list the features a single run describes
        var f = demo.Manifest.Features.Take(3).Select(x => $"{x.Layer}:{x.Index}").Order().ToArray();
        string[] ClArgs(string o, params string[] extra) => ["circuitlens", "--model", demo.Model, "--transcoders", demo.Transcoders, "--cache", merged, "--features", string.Join(",", f), "--out", o, .. extra];
        string clSingle = Path.Combine(demo.Root, "cl-single"), clMerged = Path.Combine(demo.Root, "cl-merged");
        Assert.Equal(0, Run(ClArgs(clSingle)).Code);
        var clShards = new[] { 0, 1 }.Select(i => Path.Combine(demo.Root, $"cl-shard{i}")).ToArray();
        for (int i = 0; i < 2; i++) Assert.Equal(0, Run(ClArgs(clShards[i], "--shard", $"{i}/2")).Code);
        m = Run(["merge", "--out", clMerged, .. clShards]);
        Assert.True(m.Code == 0, m.Err);
        Assert.Contains("merged 2 CircuitLens shards", m.Out);
        Assert.Equal(Directory.GetFiles(Path.Combine(clSingle, "features")).Select(Path.GetFileName).Order(), Directory.GetFiles(Path.Combine(clMerged, "features")).Select(Path.GetFileName).Order());
        Assert.Equal(File.ReadAllLines(Path.Combine(clSingle, "layer_0.jsonl")).Length, File.ReadAllLines(Path.Combine(clMerged, "layer_0.jsonl")).Length);

        // an incomplete set of cache shards is refused before anything is written
        string partial = Path.Combine(demo.Root, "cache-partial");
        m = Run(["merge", "--model", demo.Model, "--out", partial, shards[0]]);
        Assert.NotEqual(0, m.Code);
        Assert.Contains("give all 2", m.Err);
        Assert.False(Directory.Exists(partial), "the output folder was created");

        // mixing kinds is refused with one line
        m = Run(["merge", "--out", Path.Combine(demo.Root, "mixed"), shards[0], clShards[0]]);
        Assert.NotEqual(0, m.Code);
        Assert.Contains("different kinds", m.Err);
    }

    [Fact]
    public void Cache_BadArguments_OneLineError()
    {
        var r = Run(CacheArgs(Path.Combine(demo.Root, "bad"), "--shard", "3/2"));
        Assert.Equal(1, r.Code);
        Assert.Equal("error: --shard '3/2': expected i/n with 0 ≤ i < n", r.Err.Trim());
        r = Run(["cache", "--model", demo.Model, "--transcoders", demo.Transcoders, "--corpus", "/nonexistent.jsonl", "--out", Path.Combine(demo.Root, "bad2")]);
        Assert.Equal(1, r.Code);
        Assert.Contains("/nonexistent.jsonl", r.Err);
    }
}
