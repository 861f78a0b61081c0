using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.WeightLens.Tests.Support;

/// <summary>The built-in demo model generated into a temporary directory (once per test class) and loaded.</summary>
public sealed class DemoFixture : IDisposable
{
    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-wl-demo");
    public DemoManifest Manifest { get; }
    public string ModelDir => Path.Combine(Root, Manifest.ModelDir);
    public string TranscoderDir => Path.Combine(Root, Manifest.TranscodersDir);
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public WeightLensModel Lens { get; }

    public DemoFixture()
    {
        Manifest = DemoModelGenerator.EnsureGenerated(Root);
        Model = ModelLoader.Load(ModelDir);
        Transcoders = TranscoderLoaders.Load(TranscoderDir);
        Lens = new WeightLensModel(Model.Decoder, Model.Tokenizer, Transcoders, "demo");
    }

    public void Dispose()
    {
        Transcoders.Dispose();
        Model.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
