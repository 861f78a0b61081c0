using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Demo;

/// <summary>The demo run imported into a store: what the importers computed, checked against the cache and the ground truth.</summary>
[Trait("Category", "Slow")]
public class DemoRunImportTests(DemoRun run) : IClassFixture<DemoRun>
{
    [Fact]
    public void Import_PerTokenActivations_MatchTheCachedTargetActivation()
    {
        using var store = FeatureStore.Open(run.DbPath);
        var contexts = store.Contexts(run.Bank.Layer, run.Bank.Index, "circuitlens", limit: 50);
        Assert.NotEmpty(contexts);
        Assert.All(contexts, c =>
        {
            Assert.True(c.HasActivations);
            float recomputed = c.Tokens[c.TargetPosition].Activation!.Value;
            Assert.True(Math.Abs(recomputed - c.TargetActivation) <= 1e-3f * Math.Max(1, c.TargetActivation), $"{recomputed} vs {c.TargetActivation}");
            Assert.Equal(" bank", c.Tokens[c.TargetPosition].Text);
            // the maximum over the window is the sampled position (the sampler keeps each window's argmax)
            Assert.True(c.Tokens.Max(t => t.Activation ?? 0) <= c.TargetActivation + 1e-3f);
        });
    }

    [Fact]
    public void Import_FeatureStats_EqualTheCacheSketch()
    {
        var cache = new ActivationCache(run.CacheDir);
        var s = cache.Sketches(run.Bank.Layer);
        using var store = FeatureStore.Open(run.DbPath);
        var page = store.Feature(run.Bank.Layer, run.Bank.Index)!;
        Assert.Equal(s.WindowCount[run.Bank.Index], page.Stats!.WindowCount);
        Assert.Equal(s.WindowMax[run.Bank.Index], page.Stats.MaxActivation!.Value, 5);
        Assert.Equal(cache.Manifest.Windows, page.Stats.WindowsTotal);
        Assert.Equal(s.WindowCount[run.Bank.Index], page.Histogram!.Total);
        Assert.InRange(page.Histogram.Counts.Sum(), s.WindowCount[run.Bank.Index] - page.Histogram.Counts.Length, s.WindowCount[run.Bank.Index] + page.Histogram.Counts.Length);
        Assert.Equal(s.Features * cache.Layers.Count, run.Summary.Features);
    }

    [Fact]
    public void Import_CircuitLensClusters_NameThePlantedHeadAndUpstreamFeature()
    {
        using var store = FeatureStore.Open(run.DbPath);
        var page = store.Feature(run.Bank.Layer, run.Bank.Index)!;
        Assert.NotEmpty(page.Clusters);
        Assert.Equal((1, 0, -1), (page.Heads[0].Layer, page.Heads[0].Head, page.Heads[0].Delta));
        Assert.Equal((run.River.Layer, run.River.Index), (page.Upstream[0].Layer, page.Upstream[0].Index));
        Assert.Contains(page.Descriptions, d => d.Method == "circuitlens");
        Assert.Contains(page.Scores, s => s.Metric == "detection_f1" && s.Value == 0.875);
        Assert.Single(page.Graphs);
        // the river detector's page lists the bank feature as fed by it (attributions of the bank contexts)
        var river = store.Feature(run.River.Layer, run.River.Index)!;
        Assert.Contains(river.AttributedDownstream, d => (d.Layer, d.Index) == (run.Bank.Layer, run.Bank.Index));
    }

    [Fact]
    public void Import_WeightLensLinks_AreVisibleFromBothEnds()
    {
        using var store = FeatureStore.Open(run.DbPath);
        var inherited = store.Feature(run.Inherited.Layer, run.Inherited.Index)!;
        Assert.Equal((run.AnimalDetector.Layer, run.AnimalDetector.Index), (inherited.WeightLens!.Upstream[0].Layer, inherited.WeightLens.Upstream[0].Index));
        var detector = store.Feature(run.AnimalDetector.Layer, run.AnimalDetector.Index)!;
        Assert.Contains(detector.Downstream, d => (d.Layer, d.Index) == (run.Inherited.Layer, run.Inherited.Index));
        var city = store.Feature(run.City.Layer, run.City.Index)!;
        var cities = run.Manifest.TokenSets["cities"].Select(t => t.Text).ToHashSet();
        Assert.Contains(city.Promoted, e => cities.Contains(e.Text));
    }

    [Fact]
    public void Search_PlantedTokenAndDescription_FindThePlantedFeatures()
    {
        using var store = FeatureStore.Open(run.DbPath);
        string animal = run.Manifest.TokenSets["animals"][0].Text;
        var byToken = store.Search(animal);
        Assert.Contains(byToken, h => (h.Layer, h.Index) == (run.AnimalDetector.Layer, run.AnimalDetector.Index) && h.Match == "token");
        var byId = store.Search($"L{run.Bank.Layer}:{run.Bank.Index}");
        Assert.Equal((run.Bank.Layer, run.Bank.Index, "feature"), (byId[0].Layer, byId[0].Index, byId[0].Match));
        var byDescription = store.Search("bank", by: "description");
        Assert.Contains(byDescription, h => (h.Layer, h.Index) == (run.Bank.Layer, run.Bank.Index));
    }
}
