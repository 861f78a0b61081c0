using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;
using CircuitInsights.WeightLens.PostProcessing;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// Joins the outputs of the shards i/n (i = 0..n−1) of one run into the single-run result: every shard must be complete
/// and have the same manifest apart from its shard; each layer's records are united and sorted by feature index, and the
/// layer files, description files and summary are written exactly as an unsharded run writes them (byte-identical).
/// </summary>
public static class ShardMerger
{
    public static RunSummary Merge(IReadOnlyList<string> shardDirectories, string outputDirectory)
    {
        if (shardDirectories.Count == 0) throw new CircuitInsightsException("merge: no shard directories given");
        var shards = shardDirectories.Select(d => (Dir: Path.GetFullPath(d), Summary: RunSummary.Read(d))).ToList();
        var first = shards[0].Summary.Manifest;
        if (first.Shard is null) throw new CircuitInsightsException($"{shards[0].Dir}: not a shard (its run has no --shard)");
        int count = int.Parse(first.Shard.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
        var seen = new Dictionary<int, string>();
        foreach (var (dir, summary) in shards)
        {
            var m = summary.Manifest;
            if (m.Shard is null) throw new CircuitInsightsException($"{dir}: not a shard (its run has no --shard)");
            if ((m with { Shard = null }).ToJson() != (first with { Shard = null }).ToJson())
                throw new CircuitInsightsException($"{dir}: shard of a different run (model, transcoders, options or selection differ from {shards[0].Dir})");
            var parts = m.Shard.Split('/');
            int i = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), n = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            if (n != count) throw new CircuitInsightsException($"{dir}: shard {m.Shard}, but {shards[0].Dir} is one of {count}");
            if (!seen.TryAdd(i, dir)) throw new CircuitInsightsException($"{dir}: shard {m.Shard} given twice (also {seen[i]})");
        }
        var missing = Enumerable.Range(0, count).Where(i => !seen.ContainsKey(i)).ToArray();
        if (missing.Length > 0) throw new CircuitInsightsException($"merge: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{count}"))} missing");

        Directory.CreateDirectory(outputDirectory);
        var layers = new List<LayerSummary>();
        foreach (int layer in shards.SelectMany(s => s.Summary.Layers.Select(l => l.Layer)).Distinct().Order())
        {
            var records = new Dictionary<int, FeatureRecord>();
            foreach (var (dir, summary) in shards)
            {
                if (!summary.Layers.Any(l => l.Layer == layer)) continue;
                string path = Path.Combine(dir, FeatureRecordJson.FileName(layer));
                foreach (var r in FeatureRecordJson.ReadFile(path))
                    if (!records.TryAdd(r.FeatureIdx, r)) throw new CircuitInsightsException($"{path}: feature {layer}:{r.FeatureIdx} is also in another shard");
            }
            var sorted = records.Values.OrderBy(r => r.FeatureIdx).ToArray();
            FeatureRecordJson.WriteFile(Path.Combine(outputDirectory, FeatureRecordJson.FileName(layer)), sorted);
            DescriptionPostProcessor.WriteFile(Path.Combine(outputDirectory, DescriptionPostProcessor.FileName(layer)), sorted);
            layers.Add(LayerSummary.Of(layer, sorted));
        }
        var merged = new RunSummary { Manifest = first with { Shard = null }, Layers = layers.ToArray() };
        merged.Write(outputDirectory);
        return merged;
    }
}
