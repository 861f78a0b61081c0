using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Tests.Graphs;

public class AttributionGraphBuilderTests
{
    static (ReplacementModel Model, int[] Tokens) Setup(int seed = 1, SyntheticTranscoders.Options? o = null) =>
        (GraphTestModels.Build(seed, o), TestRandom.Tokens(new Random(seed + 1), 12, GraphTestModels.Config.Vocab));

    static void AssertRowsClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1e-6f;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * scale, $"{what} column {i}: {actual[i]} vs {expected[i]}");
    }

    /// <summary>Expected graph row of a target from a fresh Attributor: [selected features | errors | embeddings | logits (0)].</summary>
    static float[] ExpectedRow(AttributionGraph g, AttributionRows rows, int i)
    {
        var row = new float[g.NodeCount];
        var features = rows.FeatureRow(i);
        for (int k = 0; k < g.FeatureCount; k++) row[k] = features[g.SelectedFeatures[k]];
        rows.ErrorRow(i).CopyTo(row.AsSpan(g.ErrorOffset));
        rows.EmbeddingRow(i).CopyTo(row.AsSpan(g.EmbeddingOffset));
        return row;
    }

    [Theory]
    [InlineData("per_layer")]
    [InlineData("cross_layer")]
    public void Build_AllFeatures_RowsEqualAttributorRows(string variant)
    {
        var (rm, tokens) = Setup(3, variant == "cross_layer" ? new SyntheticTranscoders.Options { CrossLayer = true } : null);
        var g = new AttributionGraphBuilder(rm).Build(tokens, new GraphBuildOptions { MaxFeatureNodes = null, BatchSize = 7 });
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        int T = tokens.Length, L = GraphTestModels.Config.Layers;
        Assert.Equal(ctx.Features.Length, g.FeatureCount);
        Assert.Equal(g.FeatureCount + (L + 1) * T + g.Logits.Length, g.NodeCount);
        Assert.Equal(g.NodeCount, g.Adjacency.Size);
        Assert.True(g.FeatureCount > 20);

        var pick = Enumerable.Range(0, g.FeatureCount).Where(i => i % 5 == 0).ToArray();
        var targets = pick.Select(i => ctx.Features[i]).Select(f => (AttributionTarget)new FeatureTarget(f.Layer, f.Position, f.Feature))
            .Concat(g.Logits).ToList();
        var rows = attributor.Attribute(targets);
        for (int k = 0; k < pick.Length; k++) AssertRowsClose(ExpectedRow(g, rows, k), g.Adjacency.Row(pick[k]), $"feature row {pick[k]}");
        for (int k = 0; k < g.Logits.Length; k++) AssertRowsClose(ExpectedRow(g, rows, pick.Length + k), g.Adjacency.Row(g.LogitNode(k)), $"logit row {k}");
        // Error and embedding nodes receive nothing.
        for (int i = g.ErrorOffset; i < g.LogitOffset; i++) Assert.False(g.Adjacency.HasRow(i));
        // Node descriptions follow the documented layout.
        Assert.Equal(new GraphNode(GraphNodeKind.Error, 1, 4, -1, 0f), g.Node(g.ErrorNode(1, 4)));
        Assert.Equal(GraphNodeKind.Embedding, g.Node(g.EmbeddingNode(3)).Kind);
        Assert.Equal(tokens[3], g.Node(g.EmbeddingNode(3)).Index);
        var f0 = ctx.Features[pick[1]];
        Assert.Equal(pick[1], g.FeatureNode(f0.Layer, f0.Position, f0.Feature));
    }

    [Fact]
    public void Build_SalientLogits_AreTheTopProbabilitiesUpToTheDesiredMass()
    {
        var (rm, tokens) = Setup(5);
        var g = new AttributionGraphBuilder(rm).Build(tokens, new GraphBuildOptions { MaxFeatureNodes = 0, MaxLogits = 6, DesiredLogitProbability = 0.5f });
        var logits = rm.Run(Models.TokenBatch.Single(tokens)).Forward.Logits!.AsSpan((tokens.Length - 1) * 97, 97).ToArray();
        Tensors.Softmax.InPlace(logits, 97);
        var order = Enumerable.Range(0, 97).OrderByDescending(v => logits[v]).ToArray();
        Assert.InRange(g.Logits.Length, 1, 6);
        for (int k = 0; k < g.Logits.Length; k++)
        {
            Assert.Equal(order[k], g.Logits[k].Token);
            Assert.Equal(logits[order[k]], g.Logits[k].Probability, 5);
            Assert.Equal(tokens.Length - 1, g.Logits[k].Pos);
        }
        float mass = g.Logits.Sum(l => l.Probability);
        Assert.True(mass >= 0.5f - 1e-6f || g.Logits.Length == 6, $"mass {mass} with {g.Logits.Length} logits");
        Assert.True(g.Logits.Length == 1 || mass - g.Logits[^1].Probability < 0.5f, "the prefix is not the smallest");
        Assert.Equal(0, g.FeatureCount); // MaxFeatureNodes = 0: no feature nodes
    }

    [Fact]
    public void SalientLogits_HandValues()
    {
        float[] logits = [MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f), MathF.Log(0.3f)];
        Assert.Equal([1, 3, 2], SalientLogits.Select(logits, 10, 0.9f).Tokens);   // .5, .8, .95 ≥ .9
        Assert.Equal([1, 3], SalientLogits.Select(logits, 2, 0.9f).Tokens);       // capped by max_n_logits
        Assert.Equal([1], SalientLogits.Select(logits, 10, 0.5f).Tokens);         // .5 ≥ .5 already
        Assert.Equal(0.3f, SalientLogits.Select(logits, 10, 0.9f).Probabilities[1], 5);
    }

    [Fact]
    public void Build_Budgeted_KeepsOnlyChosenFeaturesWithExactRows()
    {
        var (rm, tokens) = Setup(7);
        var options = new GraphBuildOptions { MaxFeatureNodes = 9, BatchSize = 4, UpdateInterval = 1 };
        var g = new AttributionGraphBuilder(rm).Build(tokens, options);
        var ctx = AttributionContext.Build(rm, tokens);
        Assert.True(ctx.Features.Length > 9);
        Assert.Equal(9, g.FeatureCount);
        Assert.Equal(ctx.Features.Length, g.ActiveFeatures.Length);
        Assert.True(g.SelectedFeatures.SequenceEqual(g.SelectedFeatures.Order()), "selected features are sorted");

        using var attributor = new Attributor(ctx);
        var targets = g.SelectedFeatures.Select(i => ctx.Features[i]).Select(f => (AttributionTarget)new FeatureTarget(f.Layer, f.Position, f.Feature)).Concat(g.Logits).ToList();
        var rows = attributor.Attribute(targets);
        for (int k = 0; k < g.FeatureCount; k++) AssertRowsClose(ExpectedRow(g, rows, k), g.Adjacency.Row(k), $"feature row {k}");
        for (int k = 0; k < g.Logits.Length; k++) AssertRowsClose(ExpectedRow(g, rows, g.FeatureCount + k), g.Adjacency.Row(g.LogitNode(k)), $"logit row {k}");

        // The first batch is the 4 features with the largest influence estimated from the logit rows alone.
        var logitRows = attributor.Attribute(g.Logits);
        int nf = ctx.Features.Length, width = nf + 4 * tokens.Length;
        var work = Enumerable.Range(0, g.Logits.Length).Select(k =>
        {
            var r = new float[width];
            logitRows.FeatureRow(k).CopyTo(r);
            logitRows.ErrorRow(k).CopyTo(r.AsSpan(nf));
            logitRows.EmbeddingRow(k).CopyTo(r.AsSpan(nf + 3 * tokens.Length));
            return r;
        }).ToList();
        var influence = PartialInfluence.Compute(work, work.Select(r => r.Sum(Math.Abs)).ToList(), Enumerable.Range(width, g.Logits.Length).ToList(),
            g.Logits.Select(l => l.Probability).ToArray(), width + g.Logits.Length, width);
        var firstBatch = Enumerable.Range(0, nf).OrderByDescending(i => influence[i]).ThenBy(i => i).Take(4);
        foreach (int f in firstBatch) Assert.Contains(f, g.SelectedFeatures);
    }

    [Fact]
    public void PartialInfluence_AllRows_EqualsNodeInfluence()
    {
        var (rm, tokens) = Setup(9);
        var g = new AttributionGraphBuilder(rm).Build(tokens, new GraphBuildOptions { MaxFeatureNodes = null });
        int n = g.NodeCount, width = g.LogitOffset;
        var rowsIdx = Enumerable.Range(0, n).Where(g.Adjacency.HasRow).ToList();
        var rows = rowsIdx.Select(r => g.Adjacency.Row(r)[..width].ToArray()).ToList();
        var partial = PartialInfluence.Compute(rows, rows.Select(r => r.Sum(Math.Abs)).ToList(), rowsIdx, g.Logits.Select(l => l.Probability).ToArray(), n, width);
        var full = GraphInfluence.Influence(g.Adjacency, g.LogitWeights());
        for (int i = 0; i < width; i++) Assert.True(Math.Abs(partial[i] - full[i]) <= 1e-5f * Math.Max(1e-3f, full[i]), $"node {i}: {partial[i]} vs {full[i]}");
        Assert.Contains(full.Take(g.FeatureCount), v => v > 0);
    }

    [Fact]
    public void Build_OverMemoryBudget_RefusesWithAFeatureCountThatFits()
    {
        var (rm, tokens) = Setup(11);
        var builder = new AttributionGraphBuilder(rm);
        var ctx = AttributionContext.Build(rm, tokens);
        var options = new GraphBuildOptions { MaxFeatureNodes = null, MemoryBudgetBytes = 1, Attribute = new AttributeOptions { ChunkMemoryBytes = 1 << 16 } };
        var e = Assert.Throws<CircuitInsightsException>(() => builder.Build(tokens, options));
        Assert.Contains("memory budget", e.Message);
        Assert.DoesNotContain("\n", e.Message);

        // A budget between the estimates for 5 and for all features: refused, and the suggested count fits.
        long Estimate(int f) => GraphMemoryEstimate.Of(rm.Model.Spec, rm.Transcoders.Width, tokens.Length, ctx.Features.Length,
            ctx.Features.Length, 10, f, options).Total;
        long budget = (Estimate(5) + Estimate(6)) / 2;
        var e2 = Assert.Throws<CircuitInsightsException>(() => builder.Build(tokens, options with { MemoryBudgetBytes = budget, MaxLogits = 10, DesiredLogitProbability = 1f }));
        Assert.Contains("--max-feature-nodes 5 or less", e2.Message);
        var ok = builder.Build(tokens, options with { MemoryBudgetBytes = budget, MaxLogits = 10, DesiredLogitProbability = 1f, MaxFeatureNodes = 5 });
        Assert.Equal(5, ok.FeatureCount);
    }

    [Fact]
    public void Build_ReportsEveryPhaseOnceFinished_InOrder()
    {
        var (rm, tokens) = Setup(13);
        var reports = new List<GraphBuildProgress>();
        var g = new AttributionGraphBuilder(rm).Build(tokens, new GraphBuildOptions { MaxFeatureNodes = 6, BatchSize = 2 }, progress: reports.Add);
        Assert.Equal([0, 1, 2, 3, 4], reports.Where(r => r.Finished).Select(r => r.Phase));
        Assert.All(reports.Where(r => r.Phase == 3 && !r.Finished && r.Done > 0), r => Assert.Equal(6, r.Total));
        Assert.Equal(5, g.Info.PhaseSeconds.Length);
        Assert.All(g.Info.PhaseSeconds, s => Assert.True(s >= 0));
    }

    [Fact]
    public void Build_BadTokens_Throw()
    {
        var (rm, _) = Setup(1);
        var builder = new AttributionGraphBuilder(rm);
        Assert.Throws<CircuitInsightsException>(() => builder.Build([]));
        Assert.Throws<CircuitInsightsException>(() => builder.Build([1, 2, 500]));
        Assert.Throws<CircuitInsightsException>(() => builder.Build(new int[41]));
        Assert.Throws<CircuitInsightsException>(() => builder.Build([1, 2], new GraphBuildOptions { BatchSize = 0 }));
    }
}
