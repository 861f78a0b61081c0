using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Tests.Graphs;

/// <summary>Small random GPT-2 + transcoders for graph tests.</summary>
static class GraphTestModels
{
    public static readonly SyntheticGpt2.Config Config = new(Layers: 3, DModel: 32, Heads: 4, DMlp: 64, Vocab: 97, Positions: 40);

    public static ReplacementModel Build(int seed, SyntheticTranscoders.Options? o = null)
    {
        var spec = SyntheticGpt2.Spec(Config);
        var model = new DecoderModel(spec, Gpt2WeightMap.Load(SyntheticGpt2.Create(Config, seed).ToSource(), spec));
        return new ReplacementModel(model, SyntheticTranscoders.Create(spec, seed + 100, o));
    }
}
