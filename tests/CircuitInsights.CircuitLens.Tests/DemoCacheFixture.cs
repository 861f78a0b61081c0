using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.CircuitLens.Tests;

/// <summary>The demo model with a small finalized activation cache of its corpus, shared by the tests of a class.</summary>
public sealed class DemoCacheFixture : IDisposable
{
    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-cl");
    public DemoManifest Manifest { get; }
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public string Corpus { get; }
    public string CacheDir { get; }
    public CacheOptions Options { get; }

    public DemoCacheFixture()
    {
        string demo = Path.Combine(Root, "demo");
        Manifest = DemoModelGenerator.Generate(demo);
        Model = ModelLoader.Load(Path.Combine(demo, Manifest.ModelDir));
        Transcoders = TranscoderLoaders.Load(Path.Combine(demo, Manifest.TranscodersDir));
        Corpus = Path.Combine(demo, Manifest.CorpusDir, "demo.jsonl");
        CacheDir = Path.Combine(Root, "cache");
        Options = new CacheOptions { Layers = [0, 1, 2], ContextLength = 64, MaxTokens = 12_000, BatchSize = 8, CheckpointWindows = 40 };
        new ActivationCacheBuilder(Model, Transcoders, Corpus, CacheDir, Options).Run();
        CacheFinalizer.Finalize(CacheDir, Model.Tokenizer, new SamplingOptions());
    }

    public ReplacementModel Replacement => new(Model.Decoder, Transcoders);

    public void Dispose()
    {
        Model.Dispose();
        Transcoders.Dispose();
        Directory.Delete(Root, true);
    }
}
