using CircuitInsights.Attribution.Graphs;

namespace CircuitInsights.Attribution.Tests.Graphs;

[Trait("Category", "Slow")] // generates the demo model and runs the CLI end to end
public class DemoGraphTests(DemoGraphFixture demo) : IClassFixture<DemoGraphFixture>
{
    (int Source, int Target) PlantedNodes()
    {
        var p = demo.Manifest.GraphPrompts[0];
        int source = demo.Graph.FeatureNode(p.Source.Layer, p.SourcePosition, p.Source.Index);
        int target = demo.Graph.FeatureNode(p.Target.Layer, p.TargetPosition, p.Target.Index);
        Assert.True(source >= 0, $"source feature {p.Source.Layer}/{p.Source.Index} at {p.SourcePosition} is not active");
        Assert.True(target >= 0, $"target feature {p.Target.Layer}/{p.Target.Index} at {p.TargetPosition} is not active");
        return (source, target);
    }

    [Fact]
    public void PlantedPrompt_SourceIsTheTargetsStrongestInput()
    {
        var (source, target) = PlantedNodes();
        var row = demo.Graph.Adjacency.Row(target);
        float weight = row[source];
        Assert.True(weight > 0, $"edge weight {weight}");
        for (int j = 0; j < row.Length; j++)
            if (j != source) Assert.True(Math.Abs(row[j]) < weight, $"node {demo.Graph.Node(j)} feeds the target {row[j]}, the planted source {weight}");
    }

    [Fact]
    public void PlantedPrompt_PrunedGraphKeepsThePlantedPath()
    {
        // The demo's top logit (" bank", p ≈ 0.67) is driven ~90% by the direct token → logit path of its tied
        // embedding, so at node threshold 0.8 only that embedding node passes; the planted river → bank_after_river path
        // carries about 1% of the influence (cumulative rank ≈ 0.91 / 0.95). At node threshold 0.99 both nodes and the
        // edge must survive pruning with the default edge threshold.
        var (source, target) = PlantedNodes();
        var prune = GraphPruner.Prune(demo.Graph, nodeThreshold: 0.99f, edgeThreshold: 0.98f);
        float weight = demo.Graph.Adjacency[target, source];
        Assert.True(prune.NodeMask[source], $"source node pruned (cumulative {prune.CumulativeScores[source]})");
        Assert.True(prune.NodeMask[target], $"target node pruned (cumulative {prune.CumulativeScores[target]})");
        Assert.True(prune.EdgeKept(target, source, weight), $"edge pruned (score {prune.EdgeScore(target, source, weight)} < {prune.EdgeScoreThreshold})");
        Assert.True(prune.KeptNodeCount < demo.Graph.NodeCount, "pruning removed nothing");
    }

    [Fact]
    public void PlantedPrompt_GraphIsCompleteAndScoresAreValid()
    {
        var g = demo.Graph;
        Assert.Equal(g.ActiveFeatures.Length, g.FeatureCount); // default budget 7500 covers the demo prompt
        Assert.Equal(demo.Model.Spec.Layers, g.Layers);
        Assert.InRange(demo.Scores.Replacement, 0.0, 1.0);
        Assert.InRange(demo.Scores.Completeness, 0.0, 1.0);
        Assert.Equal(demo.Tokens, g.Tokens);
        Assert.Equal("<|endoftext|>", g.TokenTexts[0]);
        Assert.True(g.Logits.Sum(l => l.Probability) >= 0.95f || g.Logits.Length == 10);
        Assert.True(demo.Prune.NodeMask[g.EmbeddingNode(g.Positions - 1)], "the last token's embedding drives the top logit");
    }
}
