using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Storage.Import;

/// <summary>What one <c>store import</c> reads and how much it keeps (every bound is documented in docs/store.md).</summary>
public sealed record ImportOptions
{
    /// <summary>Finalized activation cache folder (from <c>circuit-insights cache</c>).</summary>
    public string? CacheDir { get; init; }
    /// <summary>CircuitLens output folder (<c>features/L{l}_F{i}.json</c> + <c>.contexts.jsonl</c>).</summary>
    public string? CircuitLensDir { get; init; }
    /// <summary>Folder with WeightLens <c>feature_analysis_layer_{L}.json</c> files (or one such file).</summary>
    public string? WeightLensDir { get; init; }
    /// <summary>Attribution graphs in circuit-tracer / Neuronpedia graph JSON.</summary>
    public IReadOnlyList<string> Graphs { get; init; } = [];
    /// <summary>JSONL files of evaluation scores: {"layer","feature","method","metric","value"[,"details"]}.</summary>
    public IReadOnlyList<string> Scores { get; init; } = [];
    /// <summary>JSONL files of external descriptions: {"layer","feature","text"[,"method","source"]}.</summary>
    public IReadOnlyList<string> Descriptions { get; init; } = [];

    /// <summary>Best windows per feature stored as "top" contexts (from the sketch's exact top list; ≤ 20 are stored in the cache).</summary>
    public int TopContexts { get; init; } = 10;
    /// <summary>Sampled contexts per feature stored as "sample" contexts (spread over the activation range).</summary>
    public int SampledContexts { get; init; } = 5;
    /// <summary>At most this many windows are run through the model to recompute per-token activations.</summary>
    public int MaxActivationWindows { get; init; } = 4096;
    public int HistogramBins { get; init; } = ActivationHistogram.DefaultBins;

    /// <summary>Model with its transcoders (for per-token activations); optional.</summary>
    public ReplacementModel? Model { get; init; }
    /// <summary>Tokenizer for token texts; optional (without it contexts show token ids).</summary>
    public ITokenizer? Tokenizer { get; init; }
    /// <summary>Model name recorded in the run row when no cache manifest names one.</summary>
    public string? ModelName { get; init; }
}

/// <summary>What an import wrote.</summary>
public sealed record ImportSummary
{
    public int Features { get; set; }
    public int Histograms { get; set; }
    public int Contexts { get; set; }
    public int ContextsWithActivations { get; set; }
    public int CircuitLensFeatures { get; set; }
    public int WeightLensRecords { get; set; }
    public int Graphs { get; set; }
    public int Scores { get; set; }
    public int Descriptions { get; set; }

    public override string ToString() =>
        $"{Features:N0} features with statistics, {Histograms:N0} histograms, {Contexts:N0} contexts ({ContextsWithActivations:N0} with per-token activations), " +
        $"{CircuitLensFeatures:N0} CircuitLens reports, {WeightLensRecords:N0} WeightLens records, {Graphs} graph(s), {Scores:N0} scores, {Descriptions:N0} descriptions";
}
