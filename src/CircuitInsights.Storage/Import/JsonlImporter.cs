using System.Text.Json;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Line-per-record inputs: evaluation scores <c>{"layer","feature","method","metric","value"[,"details"]}</c> and external
/// descriptions <c>{"layer","feature","text"[,"method","source"]}</c> (method defaults to "external").
/// </summary>
public static class JsonlImporter
{
    public static void ImportScores(StoreWriter w, string file, ImportSummary summary)
    {
        int n = 0;
        foreach (var (r, where) in Lines(file))
        {
            w.SetScore(Int(r, "layer", where), Int(r, "feature", where), Str(r, "method", where), Str(r, "metric", where),
                r.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new CircuitInsightsException($"{where}: 'value' must be a number"),
                r.TryGetProperty("details", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetRawText() : null);
            n++;
        }
        summary.Scores += n;
        w.RecordImport("scores", Path.GetFullPath(file), null, new { scores = n });
    }

    public static void ImportDescriptions(StoreWriter w, string file, ImportSummary summary)
    {
        int n = 0;
        foreach (var (r, where) in Lines(file))
        {
            string method = r.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : DescriptionMethods.External;
            if (!DescriptionMethods.All.Contains(method)) throw new CircuitInsightsException($"{where}: method '{method}' is not one of {string.Join(", ", DescriptionMethods.All)}");
            string source = r.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : Path.GetFileName(file);
            w.SetDescription(Int(r, "layer", where), Int(r, "feature", where), method, Str(r, "text", where), source);
            n++;
        }
        summary.Descriptions += n;
        w.RecordImport("descriptions", Path.GetFullPath(file), null, new { descriptions = n });
    }

    static IEnumerable<(JsonElement Record, string Where)> Lines(string file)
    {
        if (!File.Exists(file)) throw new CircuitInsightsException($"{file}: not found");
        int line = 0;
        foreach (var text in File.ReadLines(file))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonElement el;
            try { el = JsonDocument.Parse(text).RootElement.Clone(); }
            catch (JsonException e) { throw new CircuitInsightsException($"{file}:{line}: invalid JSON ({e.Message})", e); }
            if (el.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{file}:{line}: expected a JSON object");
            yield return (el, $"{file}:{line}");
        }
    }

    static int Int(JsonElement o, string key, string where) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= 0 ? i
            : throw new CircuitInsightsException($"{where}: '{key}' must be a non-negative integer");

    static string Str(JsonElement o, string key, string where) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s
            : throw new CircuitInsightsException($"{where}: '{key}' must be a non-empty string");
}
