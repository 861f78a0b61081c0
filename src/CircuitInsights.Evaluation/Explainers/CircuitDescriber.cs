using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Formats;
using CircuitInsights.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Explainers;

/// <summary>One cluster's description.</summary>
public sealed record ClusterDescription(
    [property: JsonPropertyName("label")] int Label,
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("text")] string Text);

/// <summary>
/// A feature's circuit-level description (the paper's WL+CL): the structured text built from the CircuitLens report and the
/// WeightLens record, and, with an LLM, one sentence per cluster and a merged one. The JSON line it is written as is also
/// what <c>store import --descriptions</c> reads (layer, feature, text, method, source).
/// </summary>
public sealed record CircuitDescription
{
    [JsonPropertyName("layer")] public required int Layer { get; init; }
    [JsonPropertyName("feature")] public required int Feature { get; init; }
    /// <summary>wl+cl (structured) or wl+cl+llm.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    /// <summary>The structured (LLM-free) text; equal to <see cref="Text"/> without an LLM.</summary>
    [JsonPropertyName("structured")] public required string Structured { get; init; }
    [JsonPropertyName("tokens")] public required IReadOnlyList<string> Tokens { get; init; }
    [JsonPropertyName("clusters")] public required IReadOnlyList<ClusterDescription> Clusters { get; init; }
    /// <summary>Prompt template ids used (empty without an LLM).</summary>
    [JsonPropertyName("templates")] public IReadOnlyList<string> Templates { get; init; } = [];
}

/// <summary>
/// Describes features from their CircuitLens reports and WeightLens records. Without a chat client the description is
/// the structured one (<see cref="DescriptionMethods.Combine"/>, clusters described by their own structured text); with
/// one, each real cluster (label ≥ 0, or the noise group when there is none) is explained with
/// <c>Prompts/circuit-cluster-explain.prompt</c> and the feature with <c>Prompts/circuit-merge.prompt</c>.
/// </summary>
public sealed class CircuitDescriber(IChatClient? client = null)
{
    public static readonly PromptTemplate ClusterTemplate = PromptTemplate.FromResource(typeof(CircuitDescriber).Assembly, "circuit-cluster-explain.prompt");
    public static readonly PromptTemplate MergeTemplate = PromptTemplate.FromResource(typeof(CircuitDescriber).Assembly, "circuit-merge.prompt");
    public const string StructuredMethod = DescriptionMethods.Combined, LlmMethod = DescriptionMethods.Combined + "+llm";

    /// <summary>Clusters sent to the LLM per feature (largest first).</summary>
    public int MaxClusters { get; init; } = 5;
    /// <summary>Patterns per cluster shown to the LLM.</summary>
    public int MaxPatterns { get; init; } = 8;

    /// <summary>Describes <paramref name="features"/> in order from a CircuitLens folder (may be null) and WeightLens records;
    /// returns the described ones. <paramref name="progress"/> gets (descriptions so far, feature) after each feature.</summary>
    public async Task<List<CircuitDescription>> DescribeAllAsync(IEnumerable<FeatureId> features, IReadOnlyDictionary<FeatureId, WeightLensRecord> weightLens,
        string? circuitLensDir, Action<int, FeatureId>? progress = null, CancellationToken cancel = default)
    {
        var result = new List<CircuitDescription>();
        foreach (var id in features)
        {
            var cl = circuitLensDir is null ? null : DescriptionMethods.LoadCircuitLens(circuitLensDir, id);
            if (await DescribeAsync(id, weightLens.GetValueOrDefault(id), cl, cancel).ConfigureAwait(false) is { } d) result.Add(d);
            progress?.Invoke(result.Count, id);
        }
        return result;
    }

    /// <summary>JSON lines keep token text readable (quotes and non-ASCII unescaped where JSON allows).</summary>
    static readonly JsonSerializerOptions JsonLines = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON line per description, atomically (the format <c>store import --descriptions</c> reads).</summary>
    public static void WriteJsonl(string path, IEnumerable<CircuitDescription> descriptions) =>
        AtomicFile.WriteAllText(path, string.Concat(descriptions.Select(d => JsonSerializer.Serialize(d, JsonLines) + "\n")));

    /// <summary>The description, or null when neither method describes the feature.</summary>
    public async Task<CircuitDescription?> DescribeAsync(FeatureId feature, WeightLensRecord? weightLens, FeatureCircuitReport? circuitLens, CancellationToken cancel = default)
    {
        var combined = DescriptionMethods.Combine(DescriptionMethods.FromWeightLens(feature, weightLens), DescriptionMethods.FromCircuitLens(feature, circuitLens));
        if (!combined.IsDescribed) return null;
        var clusters = circuitLens is null ? [] : Groups(circuitLens).ToList();
        var structured = clusters.Select(c => new ClusterDescription(c.Label, c.Size, c.Description)).ToList();
        var result = new CircuitDescription
        {
            Layer = feature.Layer, Feature = feature.Index, Method = StructuredMethod, Source = "circuit-insights describe",
            Text = combined.Text ?? combined.Concept, Structured = combined.Text ?? combined.Concept, Tokens = combined.Tokens, Clusters = structured,
        };
        if (client is null || clusters.Count == 0) return result;

        var explained = new List<ClusterDescription>();
        foreach (var c in clusters.Take(MaxClusters))
        {
            var answer = await client.CompleteAsync(ClusterTemplate.Request(ClusterValues(c)), cancel).ConfigureAwait(false);
            explained.Add(new ClusterDescription(c.Label, c.Size, OneLine(answer, c.Description)));
        }
        string wl = weightLens is { IsDescribed: true } ? string.Join(", ", weightLens.Description.Select(Quote)) : "none";
        string groups = string.Join("\n", explained.Select((c, i) => $"{i + 1}. ({c.Size} contexts) {c.Text}"));
        var merged = await client.CompleteAsync(MergeTemplate.Request(new Dictionary<string, string> { ["weightlens"] = wl, ["clusters"] = groups }), cancel).ConfigureAwait(false);
        return result with
        {
            Method = LlmMethod, Text = OneLine(merged, result.Structured), Clusters = explained.Concat(structured.Skip(explained.Count)).ToList(),
            Templates = [ClusterTemplate.Id, MergeTemplate.Id],
        };
    }

    static IEnumerable<ClusterSummary> Groups(FeatureCircuitReport r)
    {
        var real = r.Clusters.Where(c => c.Label >= 0).OrderByDescending(c => c.Size).ToList();
        return real.Count > 0 ? real : r.Clusters.OrderByDescending(c => c.Size);
    }

    Dictionary<string, string> ClusterValues(ClusterSummary c) => new()
    {
        ["size"] = c.Size.ToString(CultureInfo.InvariantCulture),
        ["mean_activation"] = c.MeanActivation.ToString("G3", CultureInfo.InvariantCulture),
        ["target_tokens"] = Counts(c.TargetTokens),
        ["source_tokens"] = Counts(c.SourceTokens),
        ["contributors"] = c.Contributors.Length == 0 ? "none" : string.Join(", ", c.Contributors.Take(6).Select(x => $"{Readable(x.Key)} (in {x.Frequency:P0} of contexts)")),
        ["promoted"] = c.Promoted.Length == 0 ? "none" : string.Join(", ", c.Promoted.Take(8).Select(t => Quote(t.Text))),
        ["suppressed"] = c.Suppressed.Length == 0 ? "none" : string.Join(", ", c.Suppressed.Take(8).Select(t => Quote(t.Text))),
        ["patterns"] = c.Patterns.Length == 0 ? "(none)" : string.Join("\n", c.Patterns.Take(MaxPatterns).Select((p, i) => $"{i + 1}. {p.ReplaceLineEndings("↵")}")),
    };

    /// <summary>"f:0:27" → "feature 27 of layer 0"; "h:1:0:-1" → "head 1.0 at Δ=-1".</summary>
    static string Readable(string key)
    {
        var p = key.Split(':');
        return p switch
        {
            ["f", var l, var f] => $"feature {f} of layer {l}",
            ["h", var l, var h, var d] => $"head {l}.{h} at Δ={d}",
            _ => key,
        };
    }

    static string Counts(TokenCount[] tokens) => tokens.Length == 0 ? "none" : string.Join(", ", tokens.Take(10).Select(t => $"{Quote(t.Text)}×{t.Count}"));
    static string Quote(string token) => "\"" + token.Replace("\n", "\\n") + "\"";

    static string OneLine(string answer, string fallback)
    {
        string text = string.Join(" ", answer.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length == 0 ? fallback : text;
    }
}
