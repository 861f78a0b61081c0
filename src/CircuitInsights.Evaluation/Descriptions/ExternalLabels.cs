using System.Text.Json;
using CircuitInsights.CircuitLens;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Descriptions;

/// <summary>
/// Imports labels made elsewhere so they are scored on the same features:
/// <list type="bullet">
/// <item>Neuronpedia exports: a JSON list (or an object with an <c>explanations</c> list) of records with a layer
/// (<c>layer</c>: a number or a source id such as "12-gemmascope-transcoder-16k", whose leading number is the layer), an
/// index (<c>index</c>/<c>feature</c>/<c>feature_idx</c>, number or string) and the text (<c>description</c>,
/// <c>explanation</c>, or the first of <c>explanations[].description</c>). The first label of a feature wins.</item>
/// <item>JSON Lines of the same records (<c>.jsonl</c>).</item>
/// <item>A WeightLens-format file (records with <c>feature{layer, feature_idx}</c>): its validated token lists.</item>
/// </list>
/// </summary>
public static class ExternalLabels
{
    public static Dictionary<FeatureId, FeatureDescription> Load(string file, string method = "external")
    {
        if (!File.Exists(file)) throw new CircuitInsightsException($"{file}: labels file not found");
        var result = new Dictionary<FeatureId, FeatureDescription>();
        List<JsonElement> records;
        var docs = new List<JsonDocument>();
        try
        {
            if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                records = [];
                int line = 0;
                foreach (var text in File.ReadLines(file))
                {
                    line++;
                    if (string.IsNullOrWhiteSpace(text)) continue;
                    try { var d = JsonDocument.Parse(text); docs.Add(d); records.Add(d.RootElement); }
                    catch (JsonException e) { throw new CircuitInsightsException($"{file}: line {line}: invalid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
                }
            }
            else
            {
                JsonDocument d;
                try { d = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { AllowTrailingCommas = true }); }
                catch (JsonException e) { throw new CircuitInsightsException($"{file}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
                docs.Add(d);
                var root = d.RootElement;
                records = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList()
                    : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("explanations", out var ex) && ex.ValueKind == JsonValueKind.Array ? ex.EnumerateArray().ToList()
                    : throw new CircuitInsightsException($"{file}: expected a list of labels (or an object with 'explanations'), found {root.ValueKind}");
            }
            if (records.Count > 0 && records[0].ValueKind == JsonValueKind.Object && records[0].TryGetProperty("feature", out var fe) && fe.ValueKind == JsonValueKind.Object)
            {
                foreach (var r in WeightLensDescriptions.ReadFile(file).Where(r => r.IsDescribed))
                    result.TryAdd(r.Feature, new FeatureDescription { Method = method, Feature = r.Feature, Tokens = r.Description });
                return result;
            }
            int n = 0;
            foreach (var r in records)
            {
                n++;
                if (r.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{file}: record {n} is {r.ValueKind}, expected an object");
                if (!TryLayer(r, out int layer) || !TryIndex(r, out int index))
                    throw new CircuitInsightsException($"{file}: record {n}: needs 'layer' and 'index' (or 'feature'/'feature_idx')");
                string? text = Text(r);
                if (string.IsNullOrWhiteSpace(text)) continue;
                var id = new FeatureId(layer, index);
                result.TryAdd(id, new FeatureDescription { Method = method, Feature = id, Text = text.Trim(), Tokens = TokenExtractor.FromText(text) });
            }
            return result;
        }
        finally
        {
            foreach (var d in docs) d.Dispose();
        }
    }

    static bool TryLayer(JsonElement r, out int layer)
    {
        layer = -1;
        if (!r.TryGetProperty("layer", out var e)) return false;
        if (e.ValueKind == JsonValueKind.Number) return e.TryGetInt32(out layer) && layer >= 0;
        if (e.ValueKind != JsonValueKind.String) return false;
        string s = e.GetString()!;
        int k = 0;
        while (k < s.Length && char.IsDigit(s[k])) k++;
        return k > 0 && int.TryParse(s[..k], out layer);
    }

    static bool TryIndex(JsonElement r, out int index)
    {
        index = -1;
        foreach (var name in new[] { "index", "feature", "feature_idx", "featureIndex" })
        {
            if (!r.TryGetProperty(name, out var e)) continue;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out index) && index >= 0) return true;
            if (e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), out index) && index >= 0) return true;
        }
        return false;
    }

    static string? Text(JsonElement r)
    {
        foreach (var name in new[] { "description", "explanation", "label" })
            if (r.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String) return e.GetString();
        if (r.TryGetProperty("explanations", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var x in list.EnumerateArray())
                if (x.ValueKind == JsonValueKind.Object && x.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String) return d.GetString();
        return null;
    }
}
