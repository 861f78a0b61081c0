using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.CircuitLens.Clustering;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Tests.Analysis;

public class CircuitLensRunnerTests(DemoCacheFixture demo) : IClassFixture<DemoCacheFixture>
{
    IReadOnlyList<FeatureCircuitReport> Run(params string[] names)
    {
        var cache = new ActivationCache(demo.CacheDir);
        var runner = new CircuitLensRunner(demo.Replacement, demo.Model.Tokenizer, cache, new CircuitLensOptions());
        var ids = names.Select(n => demo.Manifest.Feature(n)).Select(f => new FeatureId(f.Layer, f.Index)).ToArray();
        return runner.Run(ids, Path.Combine(demo.Root, "cl-" + string.Join("-", names)));
    }

    static List<ContextAnalysis> Contexts(string dir, int layer, int feature) =>
        File.ReadLines(Path.Combine(dir, "features", $"L{layer}_F{feature}.contexts.jsonl"))
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<ContextAnalysis>(l)!).ToList();

    [Fact]
    public void ContextFeature_TopHeadIsThePlantedPreviousTokenHead()
    {
        var f = demo.Manifest.Feature("bank_after_river");
        var report = Run("bank_after_river").Single();
        var contexts = Contexts(Path.Combine(demo.Root, "cl-bank_after_river"), f.Layer, f.Index);
        Assert.True(contexts.Count >= 5, $"only {contexts.Count} contexts");
        var river = demo.Manifest.Feature("river_detector");
        foreach (var c in contexts)
        {
            var top = c.Heads[0];
            Assert.Equal((1, 0, -1), (top.Layer, top.Head, top.Delta));
            Assert.Equal((river.Layer, river.Index), (c.Features[0].Layer, c.Features[0].Feature));
            Assert.Equal(c.TargetPosition - 1, c.Features[0].Position);
        }
        Assert.True(report.MaxCompletenessError <= 1e-3, $"completeness error {report.MaxCompletenessError}");
        Assert.Contains("h:1:0:-1", report.Clusters[0].Contributors.Select(x => x.Key));
    }

    [Fact]
    public void InheritedFeature_TopUpstreamFeatureIsTheDetector()
    {
        var f = demo.Manifest.Feature("animal_inherited");
        var report = Run("animal_inherited").Single();
        var contexts = Contexts(Path.Combine(demo.Root, "cl-animal_inherited"), f.Layer, f.Index);
        var detector = demo.Manifest.Feature("animal_detector");
        Assert.NotEmpty(contexts);
        Assert.All(contexts, c => Assert.Equal((detector.Layer, detector.Index, c.TargetPosition), (c.Features[0].Layer, c.Features[0].Feature, c.Features[0].Position)));
        // dataset level: TWERA over the whole cached corpus names the same upstream feature first
        Assert.NotEmpty(report.Twera);
        Assert.Equal((detector.Layer, detector.Index), (report.Twera[0].Layer, report.Twera[0].Feature));
        Assert.True(report.Twera[0].Twera > 0 && report.Twera[0].VirtualWeight > 0, $"TWERA {report.Twera[0]}");
    }

    [Fact]
    public void PolysemanticFeature_ClustersSeparateTheTwoCircuits()
    {
        var f = demo.Manifest.Feature("after_weekday_or_number");
        var report = Run("after_weekday_or_number").Single();
        var contexts = Contexts(Path.Combine(demo.Root, "cl-after_weekday_or_number"), f.Layer, f.Index);
        var weekdays = demo.Manifest.TokenSets["weekdays"].Select(t => t.Id).ToHashSet();
        var truth = contexts.Select(c => weekdays.Contains(c.InputIds[c.TargetPosition - 1]) ? 0 : 1).ToArray();
        Assert.Contains(0, truth);
        Assert.Contains(1, truth);
        double ari = AdjustedRandIndex.Compute(truth, contexts.Select(c => c.Cluster).ToArray());
        Assert.True(ari >= 0.9, $"ARI {ari:F3}; clusters: {string.Join(" | ", report.Clusters.Select(c => $"{c.Label}:{c.Size}"))}");
        Assert.Equal(2, report.Clusters.Count(c => c.Label >= 0));
    }

    [Fact]
    public void Contexts_AttributionsSumToPreactivation()
    {
        var f = demo.Manifest.Feature("city_promoter");
        Run("city_promoter");
        foreach (var c in Contexts(Path.Combine(demo.Root, "cl-city_promoter"), f.Layer, f.Index))
        {
            double total = c.FeatureTotal + c.ErrorTotal + c.EmbeddingTotal + c.BiasTotal;
            Assert.True(Math.Abs(total - c.TargetPreactivation) <= 1e-4 * Math.Max(1, Math.Abs(c.TargetPreactivation)), $"{total} vs {c.TargetPreactivation}");
            Assert.True(Math.Abs(c.TargetPreactivation - c.TargetActivation) <= 1e-3 * Math.Max(1, c.TargetActivation));
            Assert.Contains(c.Promoted.Take(5), e => demo.Manifest.TokenSets["cities"].Any(t => t.Id == e.Token));
        }
    }
}
