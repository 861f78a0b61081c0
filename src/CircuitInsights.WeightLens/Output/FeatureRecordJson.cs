using System.Text;
using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Description;

namespace CircuitInsights.WeightLens.Output;

/// <summary>
/// Reads and writes <c>feature_analysis_layer_{L}.json</c>: a JSON list of the authors' records (reference.md §3.4), sorted
/// by feature_idx, with the authors' key order and Python's formatting (<see cref="PythonJsonWriter"/>). Reading accepts
/// the authors' released files (missing optional fields default to empty).
/// </summary>
public static class FeatureRecordJson
{
    public static string FileName(int layer) => $"feature_analysis_layer_{layer}.json";

    /// <summary>Writes the records (sorted by feature index) atomically to <paramref name="path"/>.</summary>
    public static void WriteFile(string path, IEnumerable<FeatureRecord> records)
    {
        var sorted = records.OrderBy(r => r.FeatureIdx).ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            Write(text, sorted);
        });
    }

    public static void Write(TextWriter text, IEnumerable<FeatureRecord> records)
    {
        var w = new PythonJsonWriter(text);
        w.BeginArray();
        foreach (var r in records) Write(w, r);
        w.EndArray();
    }

    public static string ToJson(FeatureRecord record)
    {
        var sb = new StringWriter();
        Write(new PythonJsonWriter(sb), record);
        return sb.ToString();
    }

    static void Write(PythonJsonWriter w, FeatureRecord r)
    {
        w.BeginObject();
        w.Key("feature");
        w.BeginObject();
        w.Property("layer", r.Layer);
        w.Property("feature_idx", r.FeatureIdx);
        w.EndObject();
        w.Key("embedding");
        w.BeginObject();
        w.Property("top_positive_tokens", r.TopPositiveTokens);
        w.Property("top_negative_tokens", r.TopNegativeTokens);
        w.Property("positive_tokens_activation", r.PositiveTokensActivation);
        w.Property("top_positive_token_ids", r.TopPositiveTokenIds);
        w.Property("top_positive_tokens_contribution", r.TopPositiveTokensContribution);
        w.Property("top_negative_tokens_ids", r.TopNegativeTokensIds);
        w.Property("top_negative_tokens_contribution", r.TopNegativeTokensContribution);
        w.Property("top_positive_tokens_relative_contribution", r.TopPositiveTokensRelativeContribution);
        w.Property("top_negative_tokens_relative_contribution", r.TopNegativeTokensRelativeContribution);
        w.EndObject();
        w.Key("output_logits");
        w.BeginObject();
        w.Property("top_positive_tokens", r.OutputTopPositiveTokens);
        w.Property("top_negative_tokens", r.OutputTopNegativeTokens);
        w.EndObject();
        w.Key("feature_to_feature_contributions");
        w.BeginArray();
        foreach (var c in r.FeatureToFeatureContributions)
        {
            w.BeginObject();
            w.Property("from_layer", c.FromLayer);
            w.Property("from_feature_idx", c.FromFeatureIdx);
            w.Property("contribution", c.Contribution);
            w.Property("relative_contribution", c.RelativeContribution);
            w.EndObject();
        }
        w.EndArray();
        w.Property("total_input_invariant_detected_contribution", r.TotalInputInvariantDetectedContribution);
        w.Property("total_input_invariant_contribution", r.TotalInputInvariantContribution);
        w.Property("description_soft", r.DescriptionSoft);
        w.Property("description", r.Description);
        w.Property("validation", r.Validation);
        w.Property("validation_soft", r.ValidationSoft);
        w.EndObject();
    }

    /// <summary>Reads a layer file (ours or the authors').</summary>
    public static List<FeatureRecord> ReadFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{path}: expected a JSON list of feature records");
            var list = new List<FeatureRecord>(doc.RootElement.GetArrayLength());
            int i = 0;
            foreach (var e in doc.RootElement.EnumerateArray()) list.Add(Read(e, path, i++));
            return list;
        }
        catch (JsonException e)
        {
            throw new CircuitInsightsException($"{path}: invalid JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new CircuitInsightsException($"{path}: cannot read ({e.Message})", e);
        }
    }

    public static FeatureRecord Read(JsonElement e, string path, int index)
    {
        string where = $"{path}: record {index}";
        if (e.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: expected an object");
        var feature = Object(e, "feature", where) ?? throw new CircuitInsightsException($"{where}: missing key 'feature'");
        var emb = Object(e, "embedding", where);
        var logits = Object(e, "output_logits", where);
        var contributions = new List<FeatureContribution>();
        if (e.TryGetProperty("feature_to_feature_contributions", out var fc) && fc.ValueKind == JsonValueKind.Array)
            foreach (var c in fc.EnumerateArray())
                contributions.Add(new FeatureContribution(Int(c, "from_layer", where), Int(c, "from_feature_idx", where),
                    Double(c, "contribution", where), OptionalDouble(c, "relative_contribution", where) ?? 0));
        return new FeatureRecord
        {
            Layer = Int(feature, "layer", where),
            FeatureIdx = Int(feature, "feature_idx", where),
            TopPositiveTokens = Strings(emb, "top_positive_tokens", where) ?? [],
            TopPositiveTokenIds = Ints(emb, "top_positive_token_ids", where),
            TopPositiveTokensContribution = Doubles(emb, "top_positive_tokens_contribution", where),
            TopPositiveTokensRelativeContribution = Doubles(emb, "top_positive_tokens_relative_contribution", where),
            PositiveTokensActivation = Doubles(emb, "positive_tokens_activation", where),
            TopNegativeTokens = Strings(emb, "top_negative_tokens", where) ?? [],
            TopNegativeTokensIds = Ints(emb, "top_negative_tokens_ids", where),
            TopNegativeTokensContribution = Doubles(emb, "top_negative_tokens_contribution", where),
            TopNegativeTokensRelativeContribution = Doubles(emb, "top_negative_tokens_relative_contribution", where),
            OutputTopPositiveTokens = Strings(logits, "top_positive_tokens", where) ?? [],
            OutputTopNegativeTokens = Strings(logits, "top_negative_tokens", where) ?? [],
            FeatureToFeatureContributions = contributions.ToArray(),
            TotalInputInvariantDetectedContribution = OptionalDouble(e, "total_input_invariant_detected_contribution", where) ?? 0,
            TotalInputInvariantContribution = OptionalDouble(e, "total_input_invariant_contribution", where) ?? 0,
            DescriptionSoft = Strings(e, "description_soft", where),
            Description = Strings(e, "description", where),
            Validation = e.TryGetProperty("validation", out var v) && v.ValueKind == JsonValueKind.True,
            ValidationSoft = OptionalDouble(e, "validation_soft", where) ?? 0,
        };
    }

    static JsonElement? Object(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new CircuitInsightsException($"{where}: '{key}' must be an object");
        return v;
    }

    static int Int(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v)) throw new CircuitInsightsException($"{where}: missing key '{key}'");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n)) throw new CircuitInsightsException($"{where}: '{key}' must be an integer, found {v.ValueKind}");
        return n;
    }

    static double Double(JsonElement e, string key, string where) =>
        OptionalDouble(e, key, where) ?? throw new CircuitInsightsException($"{where}: missing key '{key}'");

    static double? OptionalDouble(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw new CircuitInsightsException($"{where}: '{key}' must be a number, found {v.ValueKind}");
        return v.GetDouble();
    }

    static string[]? Strings(JsonElement? e, string key, string where)
    {
        if (e is not { } o || !o.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{where}: '{key}' must be a list");
        return v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new CircuitInsightsException($"{where}: '{key}' must hold strings")).ToArray();
    }

    static int[] Ints(JsonElement? e, string key, string where)
    {
        if (e is not { } o || !o.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{where}: '{key}' must be a list");
        return v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int n) ? n : throw new CircuitInsightsException($"{where}: '{key}' must hold integers")).ToArray();
    }

    static double[] Doubles(JsonElement? e, string key, string where)
    {
        if (e is not { } o || !o.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind != JsonValueKind.Array) throw new CircuitInsightsException($"{where}: '{key}' must be a list");
        return v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : throw new CircuitInsightsException($"{where}: '{key}' must hold numbers")).ToArray();
    }
}
