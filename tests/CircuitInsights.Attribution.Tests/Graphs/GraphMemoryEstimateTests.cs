using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Models;

namespace CircuitInsights.Attribution.Tests.Graphs;

public class GraphMemoryEstimateTests
{
    static readonly DecoderSpec Gpt2Small = new()
    {
        Architecture = "gpt2", Layers = 12, DModel = 768, Heads = 12, KvHeads = 12, HeadDim = 64, DMlp = 3072, Vocab = 50257,
        MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
        Positions = PositionKind.Learned, AttentionScale = 0.125f,
    };

    [Fact]
    public void Estimate_Gpt2Small64Tokens_AllFeatures_MatchesTheFormula()
    {
        // NF = 37 788 features, n = 10 logits, T = 64: N = 37 788 + 13·64 + 10 = 38 630 columns, 37 798 stored rows.
        var o = new GraphBuildOptions { MaxFeatureNodes = null };
        var e = GraphMemoryEstimate.Of(Gpt2Small, 24576, 64, 37788, 37788, 10, 37788, o);
        Assert.Equal(4L * 37798 * 38630, e.EdgeMatrix);
        Assert.Equal(0, e.FinalMatrix);
        Assert.Equal(4L * 768 * 37788, e.DecoderCache);
        // context: 4·(12·12·64² + 2·64·50257 + 6·12·64·768 + 2·64·24576) + 16·37788
        Assert.Equal(4L * (12 * 12 * 4096 + 2 * 64 * 50257 + 6 * 12 * 64 * 768 + 2 * 64 * 24576) + 16 * 37788, e.Context);
        Assert.InRange(e.Total / (double)(1L << 30), 5.5, 7.0);
    }

    [Fact]
    public void CallSize_LongPrompt_KeepsOneCallsGarbageWithinTheAllowance()
    {
        // T = 1024, NF ≈ 614 000: one target leaves g = 4·(12·1024·(768·3) + 2·(614 000 + 13·1024)) ≈ 118 MB of
        // buffers; the allowance is 8 GiB / 16 = 512 MiB → 4 targets per Attributor call.
        var o = new GraphBuildOptions();
        long g = GraphMemoryEstimate.GarbagePerTarget(Gpt2Small, 1024, 614000);
        Assert.Equal(4L * (12L * 1024 * 2304 + 2L * (614000 + 13 * 1024)), g);
        Assert.Equal(4, GraphMemoryEstimate.CallSize(Gpt2Small, 1024, 614000, o));
        Assert.Equal(256, GraphMemoryEstimate.CallSize(Gpt2Small, 8, 100, o)); // small prompts: the whole batch
    }

    [Fact]
    public void LargestFeatureCount_IsTheLastThatFits()
    {
        var o = new GraphBuildOptions { MemoryBudgetBytes = 8L << 30 };
        int f = GraphMemoryEstimate.LargestFeatureCount(Gpt2Small, 24576, 1024, 614000, 614000, 10, 614000, o);
        Assert.InRange(f, 1000, 2000);
        Assert.True(GraphMemoryEstimate.Of(Gpt2Small, 24576, 1024, 614000, 614000, 10, f, o).Total <= o.MemoryBudgetBytes);
        Assert.True(GraphMemoryEstimate.Of(Gpt2Small, 24576, 1024, 614000, 614000, 10, f + 1, o).Total > o.MemoryBudgetBytes);
    }
}
