namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// Combines caches of corpus shards (<c>cache --shard i/n</c>) into one. All sketch updates commute, so the merged sketches
/// equal those of a single uninterrupted run exactly.
/// </summary>
public static class CacheMerger
{
    public static CacheManifest Merge(IReadOnlyList<string> shardDirs, string outputDir)
    {
        if (shardDirs.Count == 0) throw new CircuitInsightsException("merge: no shard folders given");
        var manifests = shardDirs.Select(CacheManifest.Load).ToList();
        var first = manifests[0];
        for (int i = 0; i < manifests.Count; i++)
        {
            var m = manifests[i];
            if (m.Status == "running") throw new CircuitInsightsException($"{shardDirs[i]}: shard pass not complete");
            if (!CacheOptionsComparer.SameRun(m.Options, first.Options) || m.CorpusFingerprint != first.CorpusFingerprint || m.Model != first.Model)
                throw new CircuitInsightsException($"{shardDirs[i]}: made with different options, corpus or model than {shardDirs[0]}");
            if (m.Options.ShardCount != first.Options.ShardCount) throw new CircuitInsightsException($"{shardDirs[i]}: shard count {m.Options.ShardCount} ≠ {first.Options.ShardCount}");
        }
        var shardIndices = manifests.Select(m => m.Options.ShardIndex).ToList();
        if (shardIndices.Distinct().Count() != shardIndices.Count) throw new CircuitInsightsException("merge: the same shard is given twice");
        Directory.CreateDirectory(outputDir);
        foreach (int layer in first.Options.Layers.Distinct().Order())
        {
            var merged = FeatureSketches.Load(CacheManifest.LayerFile(shardDirs[0], layer), first.Options.Seed);
            for (int i = 1; i < shardDirs.Count; i++) merged.Merge(FeatureSketches.Load(CacheManifest.LayerFile(shardDirs[i], layer), first.Options.Seed));
            merged.Save(CacheManifest.LayerFile(outputDir, layer), new Dictionary<string, string>());
            string c0 = CacheManifest.CoactivationFile(shardDirs[0], layer);
            if (File.Exists(c0))
            {
                var coact = CoactivationStats.Load(c0);
                for (int i = 1; i < shardDirs.Count; i++) coact.Merge(CoactivationStats.Load(CacheManifest.CoactivationFile(shardDirs[i], layer)));
                coact.Save(CacheManifest.CoactivationFile(outputDir, layer));
            }
        }
        bool complete = shardIndices.Count == first.Options.ShardCount;
        var result = first with
        {
            Status = "complete",
            Options = first.Options with { ShardIndex = 0, ShardCount = complete ? 1 : first.Options.ShardCount },
            NextWindow = manifests.Max(m => m.NextWindow),
            Windows = manifests.Sum(m => m.Windows), Tokens = manifests.Sum(m => m.Tokens), Positions = manifests.Sum(m => m.Positions),
            MergedShards = manifests.Sum(m => m.MergedShards),
        };
        result.Save(outputDir);
        return result;
    }
}
