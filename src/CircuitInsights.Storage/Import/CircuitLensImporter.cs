using System.Text.Json;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Imports a CircuitLens output folder: for each <c>features/L{l}_F{i}.json</c> report its clusters (with contributors,
/// patterns, effects and description), the feature's CircuitLens description, and every context of
/// <c>.contexts.jsonl</c> (window tokens, target position and activation, cluster, the full analysis JSON) with its
/// attributions (upstream features at their source positions, heads at target+delta, embedding/error/bias totals).
/// Cluster target/source tokens and promoted/suppressed tokens become searchable feature tokens.
/// </summary>
public static class CircuitLensImporter
{
    public static List<ActivationRequest> Import(StoreWriter w, string dir, ImportSummary summary, IProgress<string>? progress = null)
    {
        string features = Path.Combine(dir, "features");
        if (!Directory.Exists(features)) throw new CircuitInsightsException($"{dir}: not a CircuitLens output folder (no features/ subfolder)");
        ReadSummary(w, dir);
        var requests = new List<ActivationRequest>();
        foreach (var named in CircuitLensRunner.ReportedFeatures(dir))
        {
            string path = CircuitLensRunner.ReportPath(dir, named);
            var report = Read<FeatureCircuitReport>(path, File.ReadAllText(path));
            int layer = report.Layer, index = report.Feature;
            if (layer != named.Layer || index != named.Index)
                throw new CircuitInsightsException($"{path}: report is for L{layer}:F{index}, but the file name says otherwise");
            progress?.Report($"circuitlens: L{layer}:F{index}");
            w.EnsureFeature(layer, index);
            w.Run("DELETE FROM clusters WHERE layer = $1 AND idx = $2", layer, index);
            w.DeleteFeatureTokens(layer, index, "circuitlens");
            foreach (var c in report.Clusters)
            {
                w.SetCluster(layer, index, c.Label, c.Size, c.MeanActivation, c.MaxActivation, c.Description, JsonSerializer.Serialize(c));
                foreach (var t in c.TargetTokens) w.AddFeatureToken(layer, index, t.Text, "context", "circuitlens", t.Count);
                foreach (var t in c.SourceTokens) w.AddFeatureToken(layer, index, t.Text, "source", "circuitlens", t.Count);
                foreach (var e in c.Promoted) w.AddFeatureToken(layer, index, e.Text, "promoted", "circuitlens", e.Effect);
                foreach (var e in c.Suppressed) w.AddFeatureToken(layer, index, e.Text, "suppressed", "circuitlens", -e.Effect);
            }
            w.SetDescription(layer, index, DescriptionMethods.CircuitLens, report.Description);
            w.DeleteContexts(layer, index, "circuitlens");
            string contexts = Path.ChangeExtension(path, null) + ".contexts.jsonl";
            if (File.Exists(contexts))
            {
                int rank = 0, line = 0;
                foreach (var text in File.ReadLines(contexts))
                {
                    line++;
                    if (string.IsNullOrWhiteSpace(text)) continue;
                    var c = Read<ContextAnalysis>($"{contexts}:{line}", text);
                    if ((uint)c.TargetPosition >= (uint)c.InputIds.Length)
                        throw new CircuitInsightsException($"{contexts}:{line}: target_position {c.TargetPosition} outside the {c.InputIds.Length} input ids");
                    w.AddWindow(c.Window, c.InputIds);
                    long id = w.AddContext(layer, index, "circuitlens", rank++, c.Window, c.TargetPosition, c.TargetActivation, c.Cluster, null, text);
                    AddAttributions(w, id, c);
                    requests.Add(new ActivationRequest(id, layer, index, c.Window, c.InputIds));
                    summary.Contexts++;
                }
            }
            summary.CircuitLensFeatures++;
        }
        w.RecordImport("circuitlens", Path.GetFullPath(dir), null, new { features = summary.CircuitLensFeatures });
        return requests;
    }

    static void AddAttributions(StoreWriter w, long id, ContextAnalysis c)
    {
        foreach (var f in c.Features) w.AddAttribution(id, "feature", f.Layer, f.Feature, f.Position, f.Position - c.TargetPosition, f.Contribution);
        foreach (var h in c.Heads) w.AddAttribution(id, "head", h.Layer, h.Head, c.TargetPosition + h.Delta, h.Delta, h.Contribution);
        w.AddAttribution(id, "embedding", null, null, null, null, c.EmbeddingTotal);
        w.AddAttribution(id, "error", null, null, null, null, c.ErrorTotal);
        w.AddAttribution(id, "bias", null, null, null, null, c.BiasTotal);
    }

    /// <summary>summary.json names the model and the transcoder set the run used.</summary>
    static void ReadSummary(StoreWriter w, string dir)
    {
        string path = Path.Combine(dir, "summary.json");
        if (!File.Exists(path)) return;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            string? model = doc.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            Transcoders.TranscoderSetInfo? info = doc.RootElement.TryGetProperty("transcoders", out var t) && t.ValueKind == JsonValueKind.Object
                ? t.Deserialize<Transcoders.TranscoderSetInfo>() : null;
            w.SetRun(model, info);
        }
        catch (JsonException e) { throw new CircuitInsightsException($"{path}: invalid CircuitLens summary ({e.Message})", e); }
    }

    static T Read<T>(string where, string json)
    {
        try { return JsonSerializer.Deserialize<T>(json) ?? throw new CircuitInsightsException($"{where}: empty JSON"); }
        catch (JsonException e) { throw new CircuitInsightsException($"{where}: invalid CircuitLens JSON ({e.Message})", e); }
    }
}
