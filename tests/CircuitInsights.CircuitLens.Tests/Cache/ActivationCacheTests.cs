using CircuitInsights.CircuitLens.Cache;

namespace CircuitInsights.CircuitLens.Tests.Cache;

public class ActivationCacheTests(DemoCacheFixture demo) : IClassFixture<DemoCacheFixture>
{
    [Fact]
    public void Cache_PlantedContextFeature_SamplesAreItsContexts()
    {
        var cache = new ActivationCache(demo.CacheDir);
        var f = demo.Manifest.Feature("bank_after_river");
        var samples = cache.Samples(f.Layer, f.Index);
        Assert.NotEmpty(samples);
        var river = demo.Manifest.TokenSets["river"].Select(t => t.Id).ToHashSet();
        int bank = demo.Manifest.TokenSets["bank"][0].Id;
        foreach (var s in samples)
        {
            var tokens = cache.Window(s.Window);
            Assert.Equal(bank, tokens[s.Position]);
            Assert.Contains(tokens[s.Position - 1], river);
            Assert.True(s.Activation > 0);
        }
    }

    [Fact]
    public void Cache_Statistics_AreConsistent()
    {
        var cache = new ActivationCache(demo.CacheDir);
        var m = cache.Manifest;
        Assert.True(m.Tokens <= demo.Options.MaxTokens);
        Assert.Equal(m.Tokens - m.Windows, m.Positions); // BOS positions are skipped
        var s = cache.Sketches(0);
        for (int f = 0; f < s.Features; f++)
        {
            Assert.True(s.WindowCount[f] <= m.Windows);
            Assert.True(s.PositionCount[f] >= s.WindowCount[f]);
            if (s.WindowCount[f] == 0) continue;
            var top = s.Top(f);
            Assert.Equal(s.WindowMax[f], top[0].Value);
            Assert.Equal(Math.Min(s.WindowCount[f], s.TopK), top.Length);
            Assert.Equal(Math.Min(s.WindowCount[f], s.Reservoir), s.Sample(f).Length);
            Assert.True(top.Zip(top.Skip(1)).All(p => p.First.Value >= p.Second.Value));
        }
    }

    [Fact]
    public void Cache_InterruptedAndResumed_EqualsUninterrupted()
    {
        string dir = Path.Combine(demo.Root, "resume");
        using var cts = new CancellationTokenSource();
        var builder = new ActivationCacheBuilder(demo.Model, demo.Transcoders, demo.Corpus, dir, demo.Options);
        var progress = new SyncProgress(p => { if (p.Windows >= 100) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => builder.Run(progress, cts.Token));
        Assert.Equal("running", CacheManifest.Load(dir).Status);
        builder.Run();
        AssertSameSketches(demo.CacheDir, dir);
    }

    [Fact]
    public void Cache_ShardsMerged_EqualSingleRun()
    {
        var shards = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string d = Path.Combine(demo.Root, $"shard{i}");
            new ActivationCacheBuilder(demo.Model, demo.Transcoders, demo.Corpus, d, demo.Options with { ShardIndex = i, ShardCount = 3 }).Run();
            shards.Add(d);
        }
        string merged = Path.Combine(demo.Root, "merged");
        var m = CacheMerger.Merge(shards, merged);
        var single = CacheManifest.Load(demo.CacheDir);
        Assert.Equal(single.Windows, m.Windows);
        Assert.Equal(single.Positions, m.Positions);
        AssertSameSketches(demo.CacheDir, merged);
    }

    static void AssertSameSketches(string a, string b)
    {
        foreach (int layer in new[] { 0, 1, 2 })
            Assert.Equal(File.ReadAllBytes(CacheManifest.LayerFile(a, layer)), File.ReadAllBytes(CacheManifest.LayerFile(b, layer)));
        foreach (int layer in new[] { 1, 2 })
            Assert.Equal(File.ReadAllBytes(CacheManifest.CoactivationFile(a, layer)), File.ReadAllBytes(CacheManifest.CoactivationFile(b, layer)));
    }

    sealed class SyncProgress(Action<CacheProgress> report) : IProgress<CacheProgress>
    {
        public void Report(CacheProgress value) => report(value);
    }
}
