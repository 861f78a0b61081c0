namespace CircuitInsights.Evaluation;

/// <summary>Where each method's descriptions come from.</summary>
public sealed record EvaluationSources
{
    /// <summary>WeightLens output: a folder of <c>feature_analysis_layer_{L}.json</c> or one such file (methods wl, wl+out, wl+cl).</summary>
    public string? WeightLens { get; init; }
    /// <summary>CircuitLens output folder (<c>features/L{l}_F{i}.json</c>; methods cl, wl+cl).</summary>
    public string? CircuitLens { get; init; }
    /// <summary>External labels (Neuronpedia export or WeightLens-format file; method external).</summary>
    public string? External { get; init; }
}
