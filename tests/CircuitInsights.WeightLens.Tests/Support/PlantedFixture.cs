using CircuitInsights.Models;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.WeightLens.Tests.Support;

/// <summary>The planted GPT-2 written to disk once per test class and loaded through the real loaders.</summary>
public sealed class PlantedFixture : IDisposable
{
    public PlantedGpt2 Files { get; } = new();
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public WeightLensModel Lens { get; }

    public PlantedFixture()
    {
        Model = ModelLoader.Load(Files.ModelDir);
        Transcoders = TranscoderLoaders.Load(Files.TranscoderDir);
        Lens = new WeightLensModel(Model.Decoder, Model.Tokenizer, Transcoders, "planted");
    }

    public void Dispose()
    {
        Transcoders.Dispose();
        Model.Dispose();
        Files.Dispose();
    }
}
