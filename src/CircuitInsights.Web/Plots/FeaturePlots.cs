using System.Text.Json;
using CircuitInsights.Storage.Query;
using ScottPlot;

namespace CircuitInsights.Web.Plots;

/// <summary>
/// Static figures of a feature store with ScottPlot (PNG or SVG by file extension): a feature's activation histogram,
/// its promoted/suppressed logit bars, its CircuitLens cluster sizes, and an attribution-graph layout (nodes at layer ×
/// position, edges with width ∝ |weight|, edges below <c>threshold</c>·max|w| left out).
/// </summary>
public static class FeaturePlots
{
    public const int Width = 900, Height = 520;

    public static void Histogram(FeatureStore store, int layer, int index, string path)
    {
        var page = Page(store, layer, index);
        var h = page.Histogram ?? throw new CircuitInsightsException($"L{layer}:F{index} has no activation histogram (import a cache first)");
        var plt = new Plot();
        double width = (h.Hi - h.Lo) / Math.Max(1, h.Counts.Length);
        var bars = h.Counts.Select((c, i) => new Bar { Position = h.Lo + (i + 0.5) * width, Value = c, Size = width * 0.95, FillColor = Color.FromHex("#ea580c") }).ToList();
        plt.Add.Bars(bars);
        plt.Title($"L{layer}:F{index} — max activation per window ({h.Total:N0} windows{(h.Exact ? "" : ", estimated below the top list")})");
        plt.XLabel("window max activation");
        plt.YLabel("windows");
        Save(plt, path);
    }

    public static void Logits(FeatureStore store, int layer, int index, string path, int top = 10)
    {
        var page = Page(store, layer, index);
        var promoted = Effects(page.Promoted, top);
        var suppressed = Effects(page.Suppressed, top);
        if (promoted.Count + suppressed.Count == 0) throw new CircuitInsightsException($"L{layer}:F{index} has no promoted or suppressed tokens in the store");
        var rows = promoted.Select(e => (e.Text, Value: Math.Abs(e.Value))).Concat(suppressed.Select(e => (e.Text, Value: -Math.Abs(e.Value)))).ToList();
        var plt = new Plot();
        var bars = rows.Select((r, i) => new Bar
        {
            Position = rows.Count - i, Value = r.Value, FillColor = r.Value >= 0 ? Color.FromHex("#16a34a") : Color.FromHex("#dc2626"), Orientation = Orientation.Horizontal,
        }).ToList();
        plt.Add.Bars(bars);
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(rows.Select((_, i) => (double)(rows.Count - i)).ToArray(), rows.Select(r => Label(r.Text)).ToArray());
        plt.Title($"L{layer}:F{index} — promoted (green) and suppressed (red) tokens");
        plt.XLabel(promoted.Concat(suppressed).Any(e => e.Source == "circuitlens") ? "direct logit effect (CircuitLens)" : "rank score 1/(rank+1) (WeightLens)");
        Save(plt, path);
    }

    public static void Clusters(FeatureStore store, int layer, int index, string path)
    {
        var page = Page(store, layer, index);
        if (page.Clusters.Count == 0) throw new CircuitInsightsException($"L{layer}:F{index} has no CircuitLens clusters in the store");
        var plt = new Plot();
        var list = page.Clusters.ToList();
        plt.Add.Bars(list.Select((c, i) => new Bar { Position = i, Value = c.Size, FillColor = c.Label < 0 ? Color.FromHex("#9ca3af") : Color.FromHex("#2563eb") }).ToList());
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(list.Select((_, i) => (double)i).ToArray(),
            list.Select(c => c.Label < 0 ? "noise" : $"cluster {c.Label}").ToArray());
        plt.Title($"L{layer}:F{index} — contexts per CircuitLens cluster");
        plt.YLabel("contexts");
        Save(plt, path);
    }

    public static void Graph(FeatureStore store, long graphId, string path, double threshold = 0)
    {
        string json = store.GraphJson(graphId) ?? throw new CircuitInsightsException($"no graph {graphId} in the store (see 'store export' or the explorer for ids)");
        using var doc = JsonDocument.Parse(json);
        var nodes = new Dictionary<string, (double X, double Y, string Kind)>(StringComparer.Ordinal);
        var raw = doc.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        int maxLayer = raw.Select(n => LayerOf(n)).Where(l => l is not null).Select(l => l!.Value).DefaultIfEmpty(0).Max();
        var perCell = new Dictionary<(double, double), int>();
        foreach (var n in raw)
        {
            string id = n.GetProperty("node_id").GetString()!;
            string type = n.TryGetProperty("feature_type", out var t) ? t.GetString() ?? "" : "";
            string kind = type.Contains("embedding") ? "embedding" : type.Contains("logit") ? "logit" : type.Contains("error") ? "error" : "feature";
            double y = kind == "embedding" ? 0 : kind == "logit" ? maxLayer + 2 : (LayerOf(n) ?? 0) + 1;
            double x = n.TryGetProperty("ctx_idx", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0;
            int k = perCell[(x, y)] = perCell.GetValueOrDefault((x, y)) + 1;
            nodes[id] = (x + 0.12 * (k - 1), y, kind);
        }
        var links = doc.RootElement.GetProperty("links").EnumerateArray()
            .Select(l => (S: l.GetProperty("source").GetString()!, T: l.GetProperty("target").GetString()!, W: l.GetProperty("weight").GetDouble()))
            .Where(l => nodes.ContainsKey(l.S) && nodes.ContainsKey(l.T)).ToList();
        double maxW = links.Select(l => Math.Abs(l.W)).DefaultIfEmpty(1).Max();
        var plt = new Plot();
        foreach (var l in links.Where(l => Math.Abs(l.W) >= threshold * maxW))
        {
            var a = nodes[l.S]; var b = nodes[l.T];
            var line = plt.Add.Line(a.X, a.Y, b.X, b.Y);
            line.LineWidth = (float)(0.5 + 5 * Math.Abs(l.W) / maxW);
            line.LineColor = (l.W >= 0 ? Color.FromHex("#2563eb") : Color.FromHex("#dc2626")).WithAlpha(0.55);
        }
        foreach (var (_, n) in nodes)
            plt.Add.Marker(n.X, n.Y, MarkerShape.FilledCircle, 10, n.Kind switch
            {
                "embedding" => Color.FromHex("#16a34a"), "logit" => Color.FromHex("#7c3aed"), "error" => Color.FromHex("#9ca3af"), _ => Color.FromHex("#ea580c"),
            });
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, maxLayer + 3).Select(i => (double)i).ToArray(),
            Enumerable.Range(0, maxLayer + 3).Select(i => i == 0 ? "Emb" : i == maxLayer + 2 ? "Logit" : $"L{i - 1}").ToArray());
        plt.XLabel("position");
        plt.Title($"graph {graphId}: {nodes.Count} nodes, {links.Count} links");
        Save(plt, path);
    }

    static int? LayerOf(JsonElement n)
    {
        if (!n.TryGetProperty("layer", out var l)) return null;
        if (l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out int i)) return i;
        return l.ValueKind == JsonValueKind.String && int.TryParse(l.GetString(), out int j) ? j : null;
    }

    static List<(string Text, double Value, string Source)> Effects(IReadOnlyList<EffectRecord> list, int top)
    {
        // prefer CircuitLens effects (real logit units); fall back to WeightLens ranks
        var cl = list.Where(e => e.Source == "circuitlens" && e.Effect is not null).ToList();
        var src = cl.Count > 0 ? cl : list.Where(e => e.Effect is not null).ToList();
        return src.GroupBy(e => e.Text).Select(g => (g.Key, g.Max(e => Math.Abs(e.Effect!.Value)), g.First().Source))
            .OrderByDescending(e => e.Item2).Take(top).ToList();
    }

    static string Label(string token) => token.Replace("\n", "\\n").Replace("\t", "\\t") is var s && s.Trim().Length == 0 ? $"'{s}'" : s;

    static FeaturePage Page(FeatureStore store, int layer, int index) =>
        store.Feature(layer, index) ?? throw new CircuitInsightsException($"no feature L{layer}:F{index} in {store.Path}");

    static void Save(Plot plt, string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        switch (ext)
        {
            case ".png": plt.SavePng(path, Width, Height); break;
            case ".svg": plt.SaveSvg(path, Width, Height); break;
            default: throw new CircuitInsightsException($"--out {path}: use a .png or .svg file name");
        }
    }
}
