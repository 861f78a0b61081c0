using CircuitInsights.Models.Hooks;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests.Components;

/// <summary>Per-block scratch buffers are reused only where no hook handler can see them.</summary>
public class ForwardBuffersTests
{
    static readonly SyntheticLlama.Config Config = new(Layers: 3);

    [Fact]
    public void Forward_HandlerKeepsLiveBuffers_EachLayerKeepsItsOwnValues()
    {
        var w = SyntheticLlama.Create(Config, seed: 51);
        int[] tokens = TestRandom.Tokens(new Random(52), 9, Config.Vocab);
        var kept = new Dictionary<string, float[]>();
        var handler = HookHandlers.Create(h => h.LocalName is HookNames.MlpPost or HookNames.MlpPreLinear or HookNames.Z, (h, v) => kept[h.Name] = v.Buffer);
        using var model = SyntheticModels.Llama(Config, w);
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = handler });
        var reference = ReferenceLlama.Forward(w, Config, tokens);
        Assert.Equal(3 * Config.Layers, kept.Count);
        foreach (var (name, buffer) in kept)
            NumericAssert.Close(reference.Hooks[name], buffer.AsSpan(0, reference.Hooks[name].Length), 1e-4, name);
    }

    [Fact]
    public void Forward_Repeated_GivesIdenticalLogits()
    {
        var w = SyntheticLlama.Create(Config, seed: 53);
        int[] tokens = TestRandom.Tokens(new Random(54), 9, Config.Vocab);
        using var model = SyntheticModels.Llama(Config, w);
        var first = model.Forward(TokenBatch.Single(tokens)).Logits!;
        var trace = new ActivationTrace(["blocks.1.mlp.hook_pre"]);
        var traced = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace }).Logits!;
        var again = model.Forward(TokenBatch.Single(tokens)).Logits!;
        Assert.Equal(first, traced);
        Assert.Equal(first, again);
    }
}
