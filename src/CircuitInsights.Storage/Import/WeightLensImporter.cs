using System.Text.Json;
using System.Text.RegularExpressions;

namespace CircuitInsights.Storage.Import;

/// <summary>
/// Imports WeightLens results in the authors' per-layer format (reference.md §3.4): <c>feature_analysis_layer_{L}.json</c>
/// holds a JSON list of records {feature{layer, feature_idx}, embedding{top_positive_tokens, top_positive_token_ids,
/// top_positive_tokens_contribution, top_positive_tokens_relative_contribution, positive_tokens_activation,
/// top_negative_tokens, …}, output_logits{top_positive_tokens, top_negative_tokens}, feature_to_feature_contributions[
/// {from_layer, from_feature_idx, contribution, relative_contribution}], total_input_invariant_contribution,
/// total_input_invariant_detected_contribution, description, description_soft (lists of token strings or null),
/// validation (bool), validation_soft (fraction)}. Files are streamed record by record (memory stays bounded); the full
/// record is kept as JSON, the main fields as columns, inherited-feature links in <c>weightlens_links</c>.
/// </summary>
public static partial class WeightLensImporter
{
    [GeneratedRegex(@"^feature_analysis_layer_(\d+)\.json$")]
    private static partial Regex LayerFile();

    public static void Import(StoreWriter w, string path, ImportSummary summary, IProgress<string>? progress = null)
    {
        var files = File.Exists(path) ? [path]
            : Directory.Exists(path) ? Directory.EnumerateFiles(path, "feature_analysis_layer_*.json").Where(p => LayerFile().IsMatch(Path.GetFileName(p)))
                .OrderBy(p => int.Parse(LayerFile().Match(Path.GetFileName(p)).Groups[1].Value)).ToList()
            : throw new CircuitInsightsException($"{path}: WeightLens results not found");
        if (files.Count == 0) throw new CircuitInsightsException($"{path}: no feature_analysis_layer_{{L}}.json files");
        foreach (var file in files)
        {
            progress?.Report($"weightlens: {Path.GetFileName(file)}");
            var m = LayerFile().Match(Path.GetFileName(file));
            int? fileLayer = m.Success ? int.Parse(m.Groups[1].Value) : null;
            using var stream = File.OpenRead(file);
            int record = 0;
            try
            {
                if (FirstNonSpace(stream) != '[') throw new CircuitInsightsException($"{file}: expected a JSON list of feature records");
                foreach (var el in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream).ToBlockingEnumerable())
                {
                    ImportRecord(w, el, $"{file}: record {record}", fileLayer);
                    record++;
                    summary.WeightLensRecords++;
                }
            }
            catch (JsonException e) { throw new CircuitInsightsException($"{file}: invalid JSON after record {record} ({e.Message})", e); }
            w.RecordImport("weightlens", Path.GetFullPath(file), null, new { records = record });
        }
    }

    static int FirstNonSpace(Stream s)
    {
        int b;
        do b = s.ReadByte(); while (b is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        s.Position = 0;
        return b;
    }

    static void ImportRecord(StoreWriter w, JsonElement r, string where, int? fileLayer)
    {
        if (r.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: expected an object, found {r.ValueKind}");
        var feature = Obj(r, "feature", where, required: true)!.Value;
        int layer = Int(feature, "layer", where), index = Int(feature, "feature_idx", where);
        if (fileLayer is int fl && fl != layer) throw new CircuitInsightsException($"{where}: feature.layer is {layer}, the file is for layer {fl}");
        if (layer < 0 || index < 0) throw new CircuitInsightsException($"{where}: negative layer or feature_idx");
        var emb = Obj(r, "embedding", where, required: false);
        var logits = Obj(r, "output_logits", where, required: false);
        var inputs = Strings(emb, "top_positive_tokens", where);
        var ids = Numbers(emb, "top_positive_token_ids", where);
        var contrib = Numbers(emb, "top_positive_tokens_contribution", where);
        var relative = Numbers(emb, "top_positive_tokens_relative_contribution", where);
        var promoted = Strings(logits, "top_positive_tokens", where);
        var suppressed = Strings(logits, "top_negative_tokens", where);
        var description = NullableStrings(r, "description", where);
        var soft = NullableStrings(r, "description_soft", where);

        w.EnsureFeature(layer, index);
        w.Run("""
            INSERT OR REPLACE INTO weightlens (layer, idx, description, description_soft, validation, validation_soft, total_contribution,
              detected_contribution, input_tokens, promoted_tokens, suppressed_tokens, record_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, layer, index, description is null ? null : Join(description), soft is null ? null : Join(soft), Bool(r, "validation"),
            Double(r, "validation_soft"), Double(r, "total_input_invariant_contribution"), Double(r, "total_input_invariant_detected_contribution"),
            Join(inputs), Join(promoted), Join(suppressed), r.GetRawText());
        w.Run("DELETE FROM weightlens_links WHERE layer = $1 AND idx = $2", layer, index);
        if (r.TryGetProperty("feature_to_feature_contributions", out var links) && links.ValueKind == JsonValueKind.Array)
            foreach (var l in links.EnumerateArray())
            {
                if (l.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: feature_to_feature_contributions holds a {l.ValueKind}");
                int fromLayer = Int(l, "from_layer", where), fromIndex = Int(l, "from_feature_idx", where);
                w.EnsureFeature(fromLayer, fromIndex);
                w.Run("INSERT OR REPLACE INTO weightlens_links (layer, idx, from_layer, from_idx, contribution, relative_contribution) VALUES ($1, $2, $3, $4, $5, $6)",
                    layer, index, fromLayer, fromIndex, Double(l, "contribution"), Double(l, "relative_contribution"));
            }
        w.DeleteFeatureTokens(layer, index, "weightlens");
        for (int i = 0; i < inputs.Count; i++)
            w.AddFeatureToken(layer, index, inputs[i], "input", "weightlens", i < relative.Count ? relative[i] : i < contrib.Count ? contrib[i] : null);
        for (int i = 0; i < promoted.Count; i++) w.AddFeatureToken(layer, index, promoted[i], "promoted", "weightlens", 1.0 / (i + 1));
        for (int i = 0; i < suppressed.Count; i++) w.AddFeatureToken(layer, index, suppressed[i], "suppressed", "weightlens", 1.0 / (i + 1));
        for (int i = 0; i < Math.Min(inputs.Count, ids.Count); i++)
            if (ids[i] is >= 0 and <= int.MaxValue && ids[i] == Math.Floor(ids[i])) w.AddVocab((int)ids[i], inputs[i]);
        if (description is { Count: > 0 }) w.SetDescription(layer, index, DescriptionMethods.WeightLens, Join(description));
        else w.SetDescription(layer, index, DescriptionMethods.WeightLens, "");
    }

    /// <summary>Token lists are shown and searched as their strings joined by " | " (tokens keep their spaces).</summary>
    public static string Join(IEnumerable<string> tokens) => string.Join(" | ", tokens);

    static JsonElement? Obj(JsonElement r, string key, string where, bool required)
    {
        if (!r.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
            return required ? throw new CircuitInsightsException($"{where}: missing key '{key}'") : null;
        if (v.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: '{key}' must be an object, found {v.ValueKind}");
        return v;
    }

    static int Int(JsonElement o, string key, string where) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
            : throw new CircuitInsightsException($"{where}: '{key}' must be an integer");

    static double? Double(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    static bool? Bool(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) ? v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;

    static List<string> Strings(JsonElement? o, string key, string where) => o is { } obj ? NullableStrings(obj, key, where) ?? [] : [];

    static List<string>? NullableStrings(JsonElement o, string key, string where)
    {
        if (!o.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{where}: '{key}' must be a list of strings, found {v.ValueKind}");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new CircuitInsightsException($"{where}: '{key}' holds a {e.ValueKind}, expected strings")).ToList();
    }

    static List<double> Numbers(JsonElement? o, string key, string where)
    {
        if (o is not { } obj || !obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{where}: '{key}' must be a list of numbers, found {v.ValueKind}");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new CircuitInsightsException($"{where}: '{key}' holds a {e.ValueKind}, expected numbers")).ToList();
    }
}
