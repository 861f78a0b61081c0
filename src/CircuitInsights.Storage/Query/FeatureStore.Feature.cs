using System.Text.Json;

namespace CircuitInsights.Storage.Query;

public sealed partial class FeatureStore
{
    /// <summary>The feature page (without contexts), or null when the store has no such feature.</summary>
    public FeaturePage? Feature(int layer, int index)
    {
        if (!HasFeature(layer, index)) return null;
        var stats = Row("""
            SELECT position_count, positions_total, window_count, windows_total, mean, mean_active, std_active, max_activation, min_window_max
            FROM features WHERE layer = $1 AND idx = $2
            """, r => new FeatureStatsRecord(L(r, 0), L(r, 1), L(r, 2), L(r, 3), D(r, 4), D(r, 5), D(r, 6), D(r, 7), D(r, 8),
            L(r, 0) is long c && L(r, 1) is long t && t > 0 ? (double)c / t : null), layer, index);
        var hist = Row("SELECT lo, hi, counts_json, total, exact FROM histograms WHERE layer = $1 AND idx = $2",
            r => new HistogramRecord(r.GetDouble(0), r.GetDouble(1), JsonSerializer.Deserialize<long[]>(r.GetString(2)) ?? [], r.GetInt64(3), r.GetInt64(4) != 0),
            layer, index);
        var descriptions = Rows("SELECT method, text, source FROM descriptions WHERE layer = $1 AND idx = $2 ORDER BY method, source",
            r => new DescriptionRecord(r.GetString(0), r.GetString(1), r.GetString(2)), layer, index);
        var scores = Rows("SELECT method, metric, value, details_json FROM scores WHERE layer = $1 AND idx = $2 ORDER BY method, metric",
            r => new ScoreRecord(r.GetString(0), r.GetString(1), r.GetDouble(2), J(r, 3)), layer, index);
        var clusters = Rows("""
            SELECT label, size, mean_activation, max_activation, description, summary_json FROM clusters WHERE layer = $1 AND idx = $2
            ORDER BY label < 0, label
            """, r => new ClusterRecord(r.GetInt32(0), r.GetInt32(1), D(r, 2), D(r, 3), S(r, 4), J(r, 5)!.Value), layer, index);
        var downstream = Rows("""
            SELECT layer, idx, contribution, relative_contribution FROM weightlens_links WHERE from_layer = $1 AND from_idx = $2
            ORDER BY relative_contribution DESC LIMIT 50
            """, r => new FeatureLink(r.GetInt32(0), r.GetInt32(1), D(r, 2), D(r, 3), null), layer, index);
        var attributedDownstream = Rows("""
            SELECT c.layer, c.idx, count(*), avg(a.contribution) FROM attributions a JOIN contexts c ON c.id = a.context_id
            WHERE a.kind = 'feature' AND a.layer = $1 AND a.unit = $2 GROUP BY c.layer, c.idx ORDER BY count(*) DESC LIMIT 50
            """, r => new FeatureLink(r.GetInt32(0), r.GetInt32(1), r.GetDouble(3), r.GetInt64(2), null), layer, index);
        var effects = Rows("SELECT text, weight, source, role FROM feature_tokens WHERE layer = $1 AND idx = $2 AND role IN ('promoted', 'suppressed') ORDER BY source, weight DESC",
            r => (Effect: new EffectRecord(r.GetString(0), D(r, 1), r.GetString(2)), Role: r.GetString(3)), layer, index);
        var graphs = Rows("""
            SELECT g.id, g.slug, gf.position, gf.influence, gf.activation FROM graph_features gf JOIN graphs g ON g.id = gf.graph_id
            WHERE gf.layer = $1 AND gf.idx = $2 ORDER BY g.id, gf.position LIMIT 100
            """, r => new GraphMembership(r.GetInt64(0), r.GetString(1), I(r, 2), D(r, 3), D(r, 4)), layer, index);
        var contextCounts = Rows("SELECT source, count(*) FROM contexts WHERE layer = $1 AND idx = $2 GROUP BY source",
            r => (r.GetString(0), r.GetInt64(1)), layer, index).ToDictionary(x => x.Item1, x => x.Item2);
        var (heads, upstream) = Contributors(clusters);
        return new FeaturePage(layer, index, stats, hist, WeightLens(layer, index),
            downstream.Select(WithDescription).ToList(), descriptions, scores, clusters, heads,
            upstream.Select(u => u with { Description = BestDescription(u.Layer, u.Index) }).ToList(),
            attributedDownstream.Select(WithDescription).ToList(),
            effects.Where(e => e.Role == "promoted").Select(e => e.Effect).ToList(),
            effects.Where(e => e.Role == "suppressed").Select(e => e.Effect with { Effect = -e.Effect.Effect }).ToList(),
            graphs, contextCounts);
    }

    FeatureLink WithDescription(FeatureLink l) => l with { Description = BestDescription(l.Layer, l.Index) };

    WeightLensRecord? WeightLens(int layer, int index)
    {
        var row = Row("""
            SELECT description, description_soft, validation, validation_soft, total_contribution, detected_contribution, record_json
            FROM weightlens WHERE layer = $1 AND idx = $2
            """, r => new { Description = S(r, 0), Soft = S(r, 1), Validation = B(r, 2), ValidationSoft = D(r, 3), Total = D(r, 4), Detected = D(r, 5),
            Record = J(r, 6)!.Value }, layer, index);
        if (row is null) return null;
        var upstream = Rows("""
            SELECT from_layer, from_idx, contribution, relative_contribution FROM weightlens_links WHERE layer = $1 AND idx = $2
            ORDER BY relative_contribution DESC
            """, r => new FeatureLink(r.GetInt32(0), r.GetInt32(1), D(r, 2), D(r, 3), null), layer, index).Select(WithDescription).ToList();
        var rec = row.Record;
        var emb = rec.TryGetProperty("embedding", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var logits = rec.TryGetProperty("output_logits", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        var inputs = Tokens(emb, "top_positive_tokens", "top_positive_token_ids", "top_positive_tokens_relative_contribution", "positive_tokens_activation");
        var negative = Tokens(emb, "top_negative_tokens", "top_negative_tokens_ids", "top_negative_tokens_relative_contribution", null);
        return new WeightLensRecord(row.Description, row.Soft, row.Validation, row.ValidationSoft, row.Total, row.Detected, inputs, negative,
            StringList(logits, "top_positive_tokens"), StringList(logits, "top_negative_tokens"), upstream, rec);
    }

    static List<TokenWeight> Tokens(JsonElement obj, string texts, string ids, string weights, string? activations)
    {
        var t = StringList(obj, texts);
        var id = NumberList(obj, ids);
        var w = NumberList(obj, weights);
        var a = activations is null ? [] : NumberList(obj, activations);
        return t.Select((s, i) => new TokenWeight(s, i < w.Count ? w[i] : null, i < id.Count ? (int?)id[i] : null, i < a.Count ? a[i] : null)).ToList();
    }

    static List<string> StringList(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];

    static List<double> NumberList(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetDouble()).ToList() : [];

    /// <summary>
    /// Heads and upstream features aggregated over the clusters' contributors (keys "h:{layer}:{head}:{delta}",
    /// "f:{layer}:{feature}"): frequency = Σ size·freq / Σ size, mean = Σ size·freq·mean / Σ size·freq.
    /// </summary>
    static (List<HeadRecord>, List<UpstreamRecord>) Contributors(IReadOnlyList<ClusterRecord> clusters)
    {
        var acc = new Dictionary<string, (double Weight, double Sum)>(StringComparer.Ordinal);
        double total = clusters.Sum(c => (double)c.Size);
        foreach (var c in clusters)
        {
            if (!c.Summary.TryGetProperty("contributors", out var list) || list.ValueKind != JsonValueKind.Array) continue;
            foreach (var x in list.EnumerateArray())
            {
                if (!x.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String) continue;
                double freq = x.TryGetProperty("frequency", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetDouble() : 0;
                double mean = x.TryGetProperty("mean_contribution", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : 0;
                var (wgt, sum) = acc.GetValueOrDefault(k.GetString()!);
                acc[k.GetString()!] = (wgt + c.Size * freq, sum + c.Size * freq * mean);
            }
        }
        var heads = new List<HeadRecord>();
        var features = new List<UpstreamRecord>();
        foreach (var (key, (wgt, sum)) in acc)
        {
            var p = key.Split(':');
            double freq = total > 0 ? wgt / total : 0, mean = wgt > 0 ? sum / wgt : 0;
            if (p.Length == 4 && p[0] == "h" && int.TryParse(p[1], out int hl) && int.TryParse(p[2], out int h) && int.TryParse(p[3], out int d))
                heads.Add(new HeadRecord(hl, h, d, freq, mean));
            else if (p.Length == 3 && p[0] == "f" && int.TryParse(p[1], out int fl) && int.TryParse(p[2], out int fi))
                features.Add(new UpstreamRecord(fl, fi, freq, mean, null));
        }
        return (heads.OrderByDescending(h => h.Frequency).ThenByDescending(h => Math.Abs(h.MeanContribution)).ToList(),
            features.OrderByDescending(h => h.Frequency).ThenByDescending(h => Math.Abs(h.MeanContribution)).ToList());
    }
}
