using System.Text.Json;
using CircuitInsights.CircuitLens;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// Reads WeightLens results in the authors' format: one <c>feature_analysis_layer_{L}.json</c> per layer, a JSON list of
/// records with <c>feature{layer, feature_idx}</c>, <c>description</c> (list of token strings or null),
/// <c>validation</c>, <c>output_logits{top_positive_tokens, top_negative_tokens}</c>, … (paper.md §8). An object whose
/// values are such records (keyed by feature index) is accepted too. Other keys are ignored. A file may also be given
/// directly instead of a folder.
/// </summary>
public static class WeightLensDescriptions
{
    public static string LayerFile(string dir, int layer) => Path.Combine(dir, $"feature_analysis_layer_{layer}.json");

    /// <summary>Records of the requested layers found in <paramref name="path"/> (folder or one file); missing layer files are skipped.</summary>
    public static Dictionary<FeatureId, WeightLensRecord> Load(string path, IEnumerable<int> layers)
    {
        var result = new Dictionary<FeatureId, WeightLensRecord>();
        if (File.Exists(path))
        {
            foreach (var r in ReadFile(path)) result[r.Feature] = r;
            return result;
        }
        if (!Directory.Exists(path)) throw new CircuitInsightsException($"{path}: WeightLens folder or file not found");
        foreach (int layer in layers.Distinct())
        {
            string file = LayerFile(path, layer);
            if (!File.Exists(file)) continue;
            foreach (var r in ReadFile(file)) result[r.Feature] = r;
        }
        return result;
    }

    public static IEnumerable<WeightLensRecord> ReadFile(string file)
    {
        JsonDocument doc;
        try
        {
            using var s = File.OpenRead(file);
            doc = JsonDocument.Parse(s, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e) { throw new CircuitInsightsException($"{file}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
        catch (IOException e) { throw new CircuitInsightsException($"{file}: cannot read ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            IEnumerable<JsonElement> items = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                JsonValueKind.Object => root.EnumerateObject().Select(p => p.Value),
                _ => throw new CircuitInsightsException($"{file}: expected a list of WeightLens records, found {root.ValueKind}"),
            };
            var list = new List<WeightLensRecord>();
            int n = 0;
            foreach (var item in items)
            {
                n++;
                if (item.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{file}: record {n} is {item.ValueKind}, expected an object");
                if (!item.TryGetProperty("feature", out var f) || f.ValueKind != JsonValueKind.Object
                    || !TryInt(f, "layer", out int layer) || !TryInt(f, "feature_idx", out int index))
                    throw new CircuitInsightsException($"{file}: record {n}: missing feature{{layer, feature_idx}}");
                var description = Strings(item, "description");
                bool validation = item.TryGetProperty("validation", out var v) && v.ValueKind == JsonValueKind.True;
                IReadOnlyList<string> promoted = [], suppressed = [];
                if (item.TryGetProperty("output_logits", out var o) && o.ValueKind == JsonValueKind.Object)
                {
                    promoted = Strings(o, "top_positive_tokens");
                    suppressed = Strings(o, "top_negative_tokens");
                }
                list.Add(new WeightLensRecord(new FeatureId(layer, index), description, validation, promoted, suppressed));
            }
            return list;
        }
    }

    static bool TryInt(JsonElement o, string name, out int value)
    {
        value = 0;
        if (!o.TryGetProperty(name, out var e)) return false;
        if (e.ValueKind == JsonValueKind.Number) return e.TryGetInt32(out value) && value >= 0;
        return e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), out value) && value >= 0;
    }

    static IReadOnlyList<string> Strings(JsonElement o, string name) =>
        o.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray()
            : [];
}
