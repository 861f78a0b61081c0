using System.Text.Json.Serialization;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.Demo;

/// <summary>WeightLens recovery of the planted circuits.</summary>
public sealed record WeightLensScores
{
    [JsonPropertyName("features")] public required IReadOnlyList<PlantedFeatureScore> Features { get; init; }
    /// <summary>Validated description tokens vs the planted input set (weight-explainable features).</summary>
    [JsonPropertyName("input_tokens")] public required SetRecovery InputTokens { get; init; }
    /// <summary>Promoted (+) and suppressed (−) output tokens vs the planted sets, direction included.</summary>
    [JsonPropertyName("output_tokens")] public required SetRecovery OutputTokens { get; init; }
    /// <summary>Feature-to-feature links vs the planted upstream features.</summary>
    [JsonPropertyName("upstream_links")] public required SetRecovery UpstreamLinks { get; init; }
    /// <summary>Weight-explainable features whose description validates.</summary>
    [JsonPropertyName("explainable_validated")] public required int ExplainableValidated { get; init; }
    [JsonPropertyName("explainable")] public required int Explainable { get; init; }
    /// <summary>Context-dependent / polysemantic features correctly left without a validated description.</summary>
    [JsonPropertyName("unexplainable_rejected")] public required int UnexplainableRejected { get; init; }
    [JsonPropertyName("unexplainable")] public required int Unexplainable { get; init; }
}

/// <summary>
/// Scores WeightLens output (<c>feature_analysis_layer_{L}.json</c> files) against the demo manifest: token-detector,
/// inherited and output features must be described by exactly their planted input set and validate; output features
/// must promote/suppress their planted sets; inherited features must link to their planted upstream features; context
/// and polysemantic features must not validate (weights alone cannot explain them — CircuitLens's job).
/// </summary>
public static class WeightLensGroundTruth
{
    public static WeightLensScores Score(DemoManifest manifest, string weightLensDir)
    {
        var records = new Dictionary<(int, int), FeatureRecord>();
        foreach (int layer in manifest.Features.Select(f => f.Layer).Distinct())
        {
            string path = Path.Combine(weightLensDir, FeatureRecordJson.FileName(layer));
            if (!File.Exists(path)) continue;
            foreach (var r in FeatureRecordJson.ReadFile(path)) records[(r.Layer, r.FeatureIdx)] = r;
        }
        if (records.Count == 0) throw new CircuitInsightsException($"{weightLensDir}: no WeightLens results (feature_analysis_layer_{{L}}.json) for the planted layers");

        string[] Set(string? name, string prefix = "") => name is null ? [] : manifest.TokenSets[name].Select(t => prefix + t.Text).ToArray();
        var scored = manifest.Features.Where(f => records.ContainsKey((f.Layer, f.Index))).ToList();
        var explainable = scored.Where(f => f.WeightExplainable).ToList();
        var unexplainable = scored.Where(f => !f.WeightExplainable).ToList();
        FeatureRecord Of(PlantedFeature f) => records[(f.Layer, f.Index)];
        IEnumerable<string> Outputs(FeatureRecord r) => r.OutputTopPositiveTokens.Select(t => "+" + t).Concat(r.OutputTopNegativeTokens.Select(t => "-" + t));
        static IEnumerable<string> Links(IEnumerable<(int Layer, int Index)> links) => links.Select(l => $"L{l.Layer}F{l.Index}");

        var input = SetRecovery.Of(explainable.Where(f => f.InputSet is not null).Select(f => ((IEnumerable<string>)(Of(f).Description ?? []), (IEnumerable<string>)Set(f.InputSet))));
        var outputs = explainable.Where(f => f.PromotedSet is not null || f.SuppressedSet is not null).ToList();
        var output = SetRecovery.Of(outputs.Select(f => (Outputs(Of(f)), (IEnumerable<string>)Set(f.PromotedSet, "+").Concat(Set(f.SuppressedSet, "-")))));
        var upstream = SetRecovery.Of(explainable.Where(f => f.Upstream.Count > 0).Select(f =>
            (Links(Of(f).FeatureToFeatureContributions.Select(c => (c.FromLayer, c.FromFeatureIdx))), Links(f.Upstream.Select(u => (u.Layer, u.Index))))));

        var features = scored.Select(f =>
        {
            var r = Of(f);
            string found = r.Validation ? $"validated: {Preview(r.Description ?? [])}" : "not validated (no description)";
            if (f.PromotedSet is not null) found += $"; promotes {Preview(r.OutputTopPositiveTokens)}";
            double? score = f.WeightExplainable
                ? SetRecovery.Of([((IEnumerable<string>)(r.Description ?? []), (IEnumerable<string>)Set(f.InputSet))]) is var s ? F1(s) : null
                : !r.Validation && r.Description is null ? 1 : 0;
            return new PlantedFeatureScore(f.Name, f.Layer, f.Index, f.Description, found, score);
        }).ToList();
        return new WeightLensScores
        {
            Features = features, InputTokens = input, OutputTokens = output, UpstreamLinks = upstream,
            ExplainableValidated = explainable.Count(f => Of(f).Validation), Explainable = explainable.Count,
            UnexplainableRejected = unexplainable.Count(f => !Of(f).Validation && Of(f).Description is null), Unexplainable = unexplainable.Count,
        };
    }

    static double F1(SetRecovery s) => s.Precision + s.Recall == 0 ? 0 : 2 * s.Precision * s.Recall / (s.Precision + s.Recall);

    static string Preview(IReadOnlyList<string> tokens) =>
        tokens.Count == 0 ? "—" : string.Join(",", tokens.Take(6).Select(t => t.Trim())) + (tokens.Count > 6 ? $",… ({tokens.Count})" : "");
}
