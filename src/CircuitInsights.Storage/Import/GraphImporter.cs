using System.Text.Json;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Imports an attribution graph in the circuit-tracer / Neuronpedia graph JSON (reference.md §1.4 "Graph outputs"):
/// {metadata{slug, prompt, prompt_tokens, …}, qParams, nodes[{node_id, feature, layer, ctx_idx, feature_type, token_prob,
/// is_target_logit, clerp, influence, activation, …}], links[{source, target, weight}]}. The file is validated (unique
/// node ids, links between known nodes, finite weights) and kept verbatim; a summary (node counts per type, targets,
/// largest |weight|) and one <c>graph_features</c> row per transcoder-feature node (layer, index from
/// node_id "{layer}_{feature}_{pos}") are derived so feature pages can list the graphs a feature appears in.
/// </summary>
public static class GraphImporter
{
    public const long MaxBytes = 512L << 20;

    public static long Import(StoreWriter w, string file, ImportSummary summary)
    {
        var info = new FileInfo(file);
        if (!info.Exists) throw new CircuitInsightsException($"{file}: graph file not found");
        if (info.Length > MaxBytes) throw new CircuitInsightsException($"{file}: graph JSON of {info.Length:N0} bytes exceeds the {MaxBytes:N0}-byte limit");
        string json = File.ReadAllText(file);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 }); }
        catch (JsonException e) { throw new CircuitInsightsException($"{file}: invalid graph JSON ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{file}: graph JSON must be an object with 'nodes' and 'links'");
            var meta = root.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object ? md : default;
            string slug = Str(meta, "slug") ?? Path.GetFileNameWithoutExtension(file);
            string? prompt = Str(meta, "prompt");
            var nodes = Array(root, "nodes", file);
            var links = Array(root, "links", file);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var types = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var features = new List<(int Layer, int Index, int? Pos, double? Influence, double? Activation)>();
            var targets = new List<object>();
            int i = 0;
            foreach (var n in nodes.EnumerateArray())
            {
                string where = $"{file}: nodes[{i++}]";
                if (n.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: expected an object");
                string id = Str(n, "node_id") ?? throw new CircuitInsightsException($"{where}: missing string 'node_id'");
                if (!ids.Add(id)) throw new CircuitInsightsException($"{where}: duplicate node_id '{id}'");
                string type = Str(n, "feature_type") ?? "unknown";
                types[type] = types.GetValueOrDefault(type) + 1;
                if (n.TryGetProperty("is_target_logit", out var t) && t.ValueKind == JsonValueKind.True)
                    targets.Add(new { node_id = id, clerp = Str(n, "clerp"), token_prob = Num(n, "token_prob") });
                if (type.Contains("transcoder", StringComparison.OrdinalIgnoreCase) && ParseFeatureId(id) is { } f)
                    features.Add((f.Layer, f.Index, f.Pos, Num(n, "influence"), Num(n, "activation")));
            }
            double maxWeight = 0;
            i = 0;
            foreach (var l in links.EnumerateArray())
            {
                string where = $"{file}: links[{i++}]";
                if (l.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: expected an object");
                string s = Str(l, "source") ?? throw new CircuitInsightsException($"{where}: missing string 'source'");
                string d = Str(l, "target") ?? throw new CircuitInsightsException($"{where}: missing string 'target'");
                if (!ids.Contains(s)) throw new CircuitInsightsException($"{where}: source '{s}' is not a node");
                if (!ids.Contains(d)) throw new CircuitInsightsException($"{where}: target '{d}' is not a node");
                double wgt = Num(l, "weight") ?? throw new CircuitInsightsException($"{where}: missing numeric 'weight'");
                if (!double.IsFinite(wgt)) throw new CircuitInsightsException($"{where}: weight is not finite");
                maxWeight = Math.Max(maxWeight, Math.Abs(wgt));
            }
            var summaryJson = JsonSerializer.Serialize(new { slug, prompt, node_types = types, targets, max_abs_weight = maxWeight, nodes = ids.Count, links = i });
            w.Run("DELETE FROM graphs WHERE slug = $1", slug);
            long graphId = (long)w.Statement("""
                INSERT INTO graphs (slug, prompt, node_count, link_count, feature_count, summary_json, graph_json, source)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """, 8).Scalar(slug, prompt, ids.Count, i, features.Count, summaryJson, json, Path.GetFullPath(file))!;
            foreach (var f in features)
            {
                w.EnsureFeature(f.Layer, f.Index);
                w.Run("INSERT INTO graph_features (graph_id, layer, idx, position, influence, activation) VALUES ($1, $2, $3, $4, $5, $6)",
                    graphId, f.Layer, f.Index, f.Pos, f.Influence, f.Activation);
            }
            w.RecordImport("graph", Path.GetFullPath(file), null, new { slug, nodes = ids.Count, links = i, features = features.Count });
            summary.Graphs++;
            return graphId;
        }
    }

    /// <summary>Feature node ids are "{layer}_{feature}_{position}" (error nodes "{layer}_-1_{pos}" or "0_{layer}_{pos}" are not features).</summary>
    public static (int Layer, int Index, int? Pos)? ParseFeatureId(string id)
    {
        var parts = id.Split('_');
        if (parts.Length != 3 || !int.TryParse(parts[0], out int l) || !int.TryParse(parts[1], out int f) || l < 0 || f < 0) return null;
        return (l, f, int.TryParse(parts[2], out int p) ? p : null);
    }

    static JsonElement Array(JsonElement root, string key, string file) =>
        root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v : throw new CircuitInsightsException($"{file}: missing list '{key}'");

    static string? Str(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static double? Num(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
