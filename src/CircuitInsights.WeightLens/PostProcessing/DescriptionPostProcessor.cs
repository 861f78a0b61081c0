using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>A feature's description after post-processing (the structured output when no LLM is used).</summary>
public sealed record PostProcessedDescription(int Layer, int FeatureIdx, bool Validation, string[] ImportantTokens, string[] TokensPromoted, string[] TokensSuppressed);

/// <summary>
/// Post-processes records into <c>descriptions_layer_{L}.json</c>: <see cref="UniqueTokens"/> of the validated description
/// (important tokens), of the promoted and of the suppressed output tokens, per feature, sorted by index. Deterministic,
/// so merged shards reproduce it exactly.
/// </summary>
public static class DescriptionPostProcessor
{
    public static string FileName(int layer) => $"descriptions_layer_{layer}.json";

    public static PostProcessedDescription Process(FeatureRecord r) => new(r.Layer, r.FeatureIdx, r.Validation,
        UniqueTokens.Compute(r.Description ?? []), UniqueTokens.Compute(r.OutputTopPositiveTokens), UniqueTokens.Compute(r.OutputTopNegativeTokens));

    public static void WriteFile(string path, IEnumerable<FeatureRecord> records) =>
        AtomicFile.Write(path, stream =>
        {
            using var text = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var w = new PythonJsonWriter(text);
            w.BeginArray();
            foreach (var d in records.OrderBy(r => r.FeatureIdx).Select(Process))
            {
                w.BeginObject();
                w.Key("feature");
                w.BeginObject();
                w.Property("layer", d.Layer);
                w.Property("feature_idx", d.FeatureIdx);
                w.EndObject();
                w.Property("validation", d.Validation);
                w.Property("important_tokens", d.ImportantTokens);
                w.Property("tokens_promoted", d.TokensPromoted);
                w.Property("tokens_suppressed", d.TokensSuppressed);
                w.EndObject();
            }
            w.EndArray();
        });

    public static List<PostProcessedDescription> ReadFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            var list = new List<PostProcessedDescription>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                var f = e.GetProperty("feature");
                string[] S(string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
                list.Add(new PostProcessedDescription(f.GetProperty("layer").GetInt32(), f.GetProperty("feature_idx").GetInt32(),
                    e.GetProperty("validation").GetBoolean(), S("important_tokens"), S("tokens_promoted"), S("tokens_suppressed")));
            }
            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new CircuitInsightsException($"{path}: not a descriptions file ({e.Message})", e);
        }
    }
}
