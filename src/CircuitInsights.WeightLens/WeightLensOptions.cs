namespace CircuitInsights.WeightLens;

/// <summary>How candidate tokens are checked against the model (paper §3.1 Step 2, "Assumption 2").</summary>
public enum ValidationMode
{
    /// <summary>Every token alone: [BOS, token], activation read at the token (the paper's assumption; the default).</summary>
    PerToken,
    /// <summary>The authors' released code: own tokens alone as [BOS, token]; inherited tokens, the final description and
    /// the soft description each fed as ONE sequence [BOS?, t1, t2, …] (no BOS for GPT-2), activations read at every token.</summary>
    Authors,
}

/// <summary>From which upstream layers a feature inherits descriptions (WeightLens generate_description).</summary>
public enum InheritancePolicy
{
    /// <summary>GPT-2: only layer-0 contributors, any other model: all earlier layers (the authors' rule).</summary>
    Auto,
    /// <summary>Every earlier layer.</summary>
    AllLayers,
    /// <summary>Only contributors from the first transcoder layer (the authors' GPT-2 setting).</summary>
    FirstLayer,
}

/// <summary>
/// Every numeric choice of a WeightLens run (reference.md §3.4; paper.md §3.1). The defaults reproduce the authors' code
/// (<see cref="WeightLensPresets.Code"/>): z-scores computed within the top/bottom-1000 vocabulary pool (tokens, threshold 5.5)
/// and within the top-100 pool of each earlier layer (features, threshold 4); unbiased standard deviation.
/// </summary>
public sealed record WeightLensOptions
{
    /// <summary>Preset name the thresholds came from (code, paper, custom); stored with the results.</summary>
    public string Preset { get; init; } = "code";
    /// <summary>z-score threshold for input tokens (W_E·w_enc) and output tokens (w_dec·W_U).</summary>
    public double ThresholdTokens { get; init; } = 5.5;
    /// <summary>z-score threshold for upstream features (W_dec^ℓ'·w_enc).</summary>
    public double ThresholdFeatures { get; init; } = 4.0;
    /// <summary>Size of the vocabulary pools (top and bottom) the token z-scores are computed in.</summary>
    public int TokenPool { get; init; } = 1000;
    /// <summary>Size of the per-layer top pool the feature z-scores are computed in.</summary>
    public int FeaturePool { get; init; } = 100;
    public ValidationMode Validation { get; init; } = ValidationMode.PerToken;
    /// <summary>BOS used for single-token validation [BOS, token]; null = the tokenizer's BOS (the authors hard-code 2).</summary>
    public int? ValidationBosId { get; init; }
    /// <summary>Authors mode only: BOS in front of multi-token validation sequences. null = automatic (none for GPT-2,
    /// the tokenizer's BOS otherwise, as the authors do); −1 = none.</summary>
    public int? SequenceBosId { get; init; }
    public InheritancePolicy Inheritance { get; init; } = InheritancePolicy.Auto;
    /// <summary>Features per projection batch (columns of the fused GEMMs); also the checkpoint granularity.</summary>
    public int BatchSize { get; init; } = 4096;
    /// <summary>Sequences per forward pass when validating tokens.</summary>
    public int ProbeBatch { get; init; } = 512;

    /// <summary>Checks the values; throws <see cref="CircuitInsightsException"/> naming the option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(ThresholdTokens)) throw new CircuitInsightsException($"threshold-tokens must be a finite number, got {ThresholdTokens}");
        if (!double.IsFinite(ThresholdFeatures)) throw new CircuitInsightsException($"threshold-features must be a finite number, got {ThresholdFeatures}");
        if (TokenPool < 2) throw new CircuitInsightsException($"token pool must be at least 2, got {TokenPool}");
        if (FeaturePool < 2) throw new CircuitInsightsException($"feature pool must be at least 2, got {FeaturePool}");
        if (BatchSize < 1) throw new CircuitInsightsException($"batch size must be at least 1, got {BatchSize}");
        if (ProbeBatch < 1) throw new CircuitInsightsException($"probe batch must be at least 1, got {ProbeBatch}");
    }
}

/// <summary>Threshold presets: the authors' code defaults and the paper's values (paper.md §3.1).</summary>
public static class WeightLensPresets
{
    /// <summary>The authors' code: tokens 5.5, features 4.</summary>
    public static WeightLensOptions Code(WeightLensOptions? basis = null) =>
        (basis ?? new WeightLensOptions()) with { Preset = "code", ThresholdTokens = 5.5, ThresholdFeatures = 4.0 };

    /// <summary>The paper: tokens 4 for GPT-2 and 4.5 for Gemma/Llama (any non-GPT-2 model), features 3.</summary>
    public static WeightLensOptions Paper(string architecture, WeightLensOptions? basis = null) =>
        (basis ?? new WeightLensOptions()) with { Preset = "paper", ThresholdTokens = IsGpt2(architecture) ? 4.0 : 4.5, ThresholdFeatures = 3.0 };

    /// <summary>Applies a preset by name (code or paper).</summary>
    public static WeightLensOptions Apply(string preset, string architecture, WeightLensOptions? basis = null) => preset switch
    {
        "code" => Code(basis),
        "paper" => Paper(architecture, basis),
        _ => throw new CircuitInsightsException($"unknown preset '{preset}' (expected code or paper)"),
    };

    internal static bool IsGpt2(string architecture) => string.Equals(architecture, "gpt2", StringComparison.OrdinalIgnoreCase);
}
