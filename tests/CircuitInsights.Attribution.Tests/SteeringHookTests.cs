using CircuitInsights.Attribution.Tests.Graphs;
using CircuitInsights.Models;
using CircuitInsights.Testing;

namespace CircuitInsights.Attribution.Tests;

public class SteeringHookTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Steering_OneLayer_EqualsUnfrozenIntervention(bool allPositions)
    {
        var rm = GraphTestModels.Build(31);
        var tokens = TestRandom.Tokens(new Random(32), 9, GraphTestModels.Config.Vocab);
        var clean = rm.Run(TokenBatch.Single(tokens));
        var active = clean.Layers[1].Active;
        int pos = Enumerable.Range(1, 8).First(p => active.Count(p) > 0);
        int feature = active.FeaturesOf(pos)[0];
        const float value = 7.5f;

        // All positions include position 0, where both treat the clean activation as 0 (BOS zeroing).
        var positions = allPositions ? Enumerable.Range(0, tokens.Length) : [pos];
        var expected = Interventions.Run(rm, tokens, positions.Select(p => new FeatureIntervention(1, p, feature, value)).ToList(),
            new InterventionOptions { FreezeAttention = false }).Intervened.Forward.Logits!;
        var hook = new SteeringHook(rm.Transcoders, [new FeatureSteer(1, allPositions ? null : pos, feature, Value: value)]);
        var actual = rm.Model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = hook }).Logits!;
        NumericAssert.Close(expected, actual, 1e-4f, "steered logits");
        Assert.True(expected.Zip(clean.Forward.Logits!).Any(x => Math.Abs(x.First - x.Second) > 1e-3f), "the intervention changed nothing");
    }

    [Fact]
    public void Steering_ScaleZero_EqualsZeroAblation_AndGreedyUsesIt()
    {
        var rm = GraphTestModels.Build(33);
        var tokens = TestRandom.Tokens(new Random(34), 8, GraphTestModels.Config.Vocab);
        var clean = rm.Run(TokenBatch.Single(tokens));
        var active = clean.Layers[2].Active;
        int pos = tokens.Length - 1;
        Assert.True(active.Count(pos) > 0);
        var ivs = active.FeaturesOf(pos).ToArray().Select(f => new FeatureIntervention(2, pos, f, 0f)).ToList();
        var expected = Interventions.Run(rm, tokens, ivs, new InterventionOptions { FreezeAttention = false }).Intervened.Forward.Logits!;
        var hook = new SteeringHook(rm.Transcoders, ivs.Select(iv => new FeatureSteer(2, -1, iv.Feature, Scale: 0f)).ToList());
        var actual = rm.Model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = hook }).Logits!;
        NumericAssert.Close(expected, actual, 1e-4f, "zero-ablated logits");

        // Greedy: the first generated token is the argmax of the steered last-position logits.
        int V = GraphTestModels.Config.Vocab;
        var last = expected.AsSpan((tokens.Length - 1) * V, V);
        int best = 0;
        for (int v = 1; v < V; v++) if (last[v] > last[best]) best = v;
        var generated = Generation.Greedy(rm.Model, tokens, 1, null, new ForwardOptions { Hooks = hook });
        Assert.Equal(best, generated[^1]);
    }

    [Fact]
    public void Steering_BadSpecs_Throw()
    {
        var rm = GraphTestModels.Build(35);
        Assert.Throws<CircuitInsightsException>(() => new SteeringHook(rm.Transcoders, [new FeatureSteer(7, 0, 1, Value: 1f)]));
        Assert.Throws<CircuitInsightsException>(() => new SteeringHook(rm.Transcoders, [new FeatureSteer(0, 0, 1000, Value: 1f)]));
        Assert.Throws<CircuitInsightsException>(() => new SteeringHook(rm.Transcoders, [new FeatureSteer(0, 0, 1)]));
    }
}
