using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitInsights.Formats;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens;

/// <summary>
/// Joins the output folders of <c>circuitlens --shard i/n</c> runs into the folder one run over all their features would
/// have written: per-feature reports and contexts copied, <c>layer_{l}.jsonl</c> rebuilt, <c>summary.json</c> with the
/// features of all shards ordered by (layer, index). Shards must come from the same cache, model, transcoders and options
/// (checked), and must have finished (their <c>summary.json</c> exists).
/// </summary>
public static class CircuitLensMerger
{
    public static int Merge(IReadOnlyList<string> shardDirectories, string outputDirectory)
    {
        if (shardDirectories.Count == 0) throw new CircuitInsightsException("merge: no CircuitLens shard folders given");
        string outFull = Path.GetFullPath(outputDirectory);
        JsonObject? header = null;
        string? headerSource = null;
        var features = new SortedDictionary<FeatureId, JsonNode>();
        Directory.CreateDirectory(Path.Combine(outputDirectory, "features"));
        foreach (var dir in shardDirectories)
        {
            if (Path.GetFullPath(dir) == outFull) throw new CircuitInsightsException($"{dir}: the output folder cannot also be a shard");
            string summaryPath = Path.Combine(dir, CircuitLensRunner.SummaryFile);
            if (!File.Exists(summaryPath)) throw new CircuitInsightsException($"{dir}: no {CircuitLensRunner.SummaryFile} (not a CircuitLens output folder, or the shard has not finished)");
            JsonObject summary;
            try { summary = JsonNode.Parse(File.ReadAllText(summaryPath)) as JsonObject ?? throw new CircuitInsightsException($"{summaryPath}: expected a JSON object"); }
            catch (JsonException e) { throw new CircuitInsightsException($"{summaryPath}: invalid JSON ({e.Message})", e); }
            var shardHeader = new JsonObject();
            foreach (var (key, value) in summary)
                if (key != "features") shardHeader[key] = value?.DeepClone();
            if (header is null) (header, headerSource) = (shardHeader, dir);
            else if (!JsonNode.DeepEquals(header, shardHeader))
                throw new CircuitInsightsException($"{dir}: made with another cache, model, transcoders or options than {headerSource}; shards of one run must share them");
            if (summary["features"] is not JsonArray list) throw new CircuitInsightsException($"{summaryPath}: no features list");
            foreach (var node in list)
            {
                var id = new FeatureId(node?["layer"]?.GetValue<int>() ?? throw new CircuitInsightsException($"{summaryPath}: feature entry without layer"),
                    node["feature"]?.GetValue<int>() ?? throw new CircuitInsightsException($"{summaryPath}: feature entry without feature"));
                foreach (var path in new[] { CircuitLensRunner.ReportPath(dir, id), CircuitLensRunner.ContextsPath(dir, id) })
                {
                    if (!File.Exists(path)) throw new CircuitInsightsException($"{path}: missing (listed in {summaryPath})");
                    string target = Path.Combine(outputDirectory, "features", Path.GetFileName(path));
                    if (features.ContainsKey(id) && File.Exists(target) && !File.ReadAllBytes(target).AsSpan().SequenceEqual(File.ReadAllBytes(path)))
                        throw new CircuitInsightsException($"feature {id} is in more than one shard with different results ({path})");
                    AtomicFile.Write(target, s => { using var src = File.OpenRead(path); src.CopyTo(s); });
                }
                features[id] = node.DeepClone();
            }
        }
        var ids = features.Keys.ToList();
        CircuitLensRunner.WriteLayerFiles(outputDirectory, ids);
        var merged = new JsonObject();
        foreach (var (key, value) in header!) merged[key] = value?.DeepClone();
        merged["features"] = new JsonArray(features.Values.ToArray());
        AtomicFile.Write(Path.Combine(outputDirectory, CircuitLensRunner.SummaryFile), s => JsonSerializer.Serialize(s, merged, CircuitLensRunner.Pretty));
        return ids.Count;
    }
}
