using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Demo.Tests;

/// <summary>Shared generated demo model (generation is deterministic; one per test run).</summary>
public sealed class DemoFixture : IDisposable
{
    public string Directory { get; } = CheckpointDirectory.CreateTemp("ci-demo");
    public DemoManifest Manifest { get; }
    public TimeSpan GenerationTime { get; }

    public DemoFixture()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Manifest = DemoModelGenerator.Generate(Directory);
        GenerationTime = sw.Elapsed;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, true);
}

public class DemoModelGeneratorTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    [Fact]
    public void Generate_WritesLoadableModelAndTranscoders()
    {
        using var model = ModelLoader.Load(Path.Combine(demo.Directory, demo.Manifest.ModelDir));
        using var set = TranscoderLoaders.Load(Path.Combine(demo.Directory, demo.Manifest.TranscodersDir));
        Assert.Equal(3, model.Spec.Layers);
        Assert.Equal(50257, model.Spec.Vocab);
        Assert.Equal("circuit-tracer", set.Info.Format);
        Assert.Equal("mlp.hook_in", set.Info.InputHook);
        Assert.Equal([0, 1, 2], set.Layers);
        // Budget is < 5 s on a quiet 2-core machine (measured 2.1 s, docs/performance.md); the bound here is loose because the
        // whole suite runs in parallel on CI.
        Assert.True(demo.GenerationTime < TimeSpan.FromSeconds(30), $"generation took {demo.GenerationTime}");
    }

    [Fact]
    public void Generate_IsDeterministic()
    {
        string other = CheckpointDirectory.CreateTemp("ci-demo2");
        try
        {
            var again = DemoModelGenerator.Generate(other);
            Assert.Equal(demo.Manifest.ToJson(), again.ToJson());
            Assert.Equal(File.ReadAllBytes(Path.Combine(demo.Directory, "model", "model.safetensors")), File.ReadAllBytes(Path.Combine(other, "model", "model.safetensors")));
        }
        finally { Directory.Delete(other, true); }
    }

    [Fact]
    public void PreviousTokenHeads_AttendToThePreviousToken()
    {
        Assert.Equal(3, demo.Manifest.Heads.Count);
        foreach (var h in demo.Manifest.Heads) Assert.True(h.PreviousTokenWeight > 0.9, $"head {h.Layer}.{h.Head}: {h.PreviousTokenWeight}");
    }

    [Theory]
    [InlineData(" The cat sat by the muddy bank", "bank_after_river", " bank", true)]
    [InlineData(" I went to the bank on Monday", "bank_after_river", " bank", false)]
    [InlineData(" On Monday we left", "after_weekday_or_number", " we", true)]
    [InlineData(" We bought five apples", "after_weekday_or_number", " apples", true)]
    [InlineData(" We bought red apples", "after_weekday_or_number", " apples", false)]
    [InlineData(" They live in Paris", "city_promoter", " in", true)]
    [InlineData(" The dog barked", "animal_deep", " dog", true)]
    [InlineData(" The car barked", "animal_deep", " car", false)]
    public void PlantedFeatures_FireOnTheirContexts(string text, string feature, string at, bool fires)
    {
        using var model = ModelLoader.Load(Path.Combine(demo.Directory, "model"));
        using var set = TranscoderLoaders.Load(Path.Combine(demo.Directory, "transcoders"));
        var rm = new ReplacementModel(model.Decoder, set);
        var tokens = model.Encode(text, prependBos: true);
        int pos = Array.LastIndexOf(tokens, model.Tokenizer.Encode(at, false)[0]);
        var f = demo.Manifest.Feature(feature);
        var run = rm.Run(TokenBatch.Single(tokens));
        float a = run.Layers[f.Layer].Active.Get(pos, f.Index);
        Assert.True(fires ? a > 0 : a == 0, $"{feature} at '{at}' in '{text}': activation {a}");
    }

    [Fact]
    public void Transcoders_AreSparseAndCloseToTheMlps()
    {
        using var model = ModelLoader.Load(Path.Combine(demo.Directory, "model"));
        using var set = TranscoderLoaders.Load(Path.Combine(demo.Directory, "transcoders"));
        var rm = new ReplacementModel(model.Decoder, set);
        var tokens = model.Encode(string.Concat(DemoCorpus.Sentences(6, 5)), prependBos: true);
        var run = rm.Run(TokenBatch.Single(tokens));
        var report = run.Layers.OrderBy(kv => kv.Key).Select(kv =>
        {
            var lr = kv.Value;
            double active = lr.Active.TotalActive / (double)(tokens.Length - 1);
            double err = lr.Error.Skip(model.Spec.DModel).Sum(v => (double)v * v), total = lr.MlpOutput.Skip(model.Spec.DModel).Sum(v => (double)v * v);
            return (kv.Key, active, ratio: err / total);
        }).ToList();
        string text = string.Join("; ", report.Select(r => $"L{r.Key}: {r.active:F1} active/token, error share {r.ratio:P1}"));
        // Tens of active features per position; errors present but small (transcoder ≈ MLP, not =).
        Assert.All(report, r => Assert.True(r.active is >= 3 and <= 60 && r.ratio is > 1e-5 and < 0.15, text));
        Console.WriteLine(text);
    }
}
