using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Models;

public enum LogitsMode
{
    /// <summary>Logits for every position: [B, T, V].</summary>
    All,
    /// <summary>Logits for the last real position of each sequence: [B, V].</summary>
    Last,
    /// <summary>No unembedding.</summary>
    None,
}

/// <summary>Options of one forward pass.</summary>
public sealed record ForwardOptions
{
    /// <summary>Receives (and may edit) activations; null = no hooks.</summary>
    public IHookHandler? Hooks { get; init; }
    /// <summary>Run only blocks [0, StopAtLayer) (TransformerLens stop_at_layer); no final norm or logits then.</summary>
    public int? StopAtLayer { get; init; }
    public LogitsMode Logits { get; init; } = LogitsMode.All;
    /// <summary>Also return logits before the final soft-cap (models with a final soft-cap only).</summary>
    public bool KeepPreSoftcapLogits { get; init; }
    /// <summary>Collects a stage-time breakdown (benchmarks).</summary>
    public ForwardProfile? Profile { get; init; }

    public static ForwardOptions Default { get; } = new();
}

/// <summary>Output of a forward pass.</summary>
public sealed class ForwardResult
{
    /// <summary>Logits (after the final soft-cap, as HF returns them): [B, T, V] or [B, V], per <see cref="LogitsMode"/>; null for None.</summary>
    public float[]? Logits { get; init; }
    public int[] LogitsShape { get; init; } = [];
    /// <summary>Logits before the final soft-cap (same shape), when requested and the model has one.</summary>
    public float[]? PreSoftcapLogits { get; init; }
    /// <summary>Residual stream at the end: [B, T, D] (resid_post of the last block run).</summary>
    public required float[] Residual { get; init; }
    public required int BatchSize { get; init; }
    public required int Positions { get; init; }
    /// <summary>Number of blocks that ran.</summary>
    public required int LayersRun { get; init; }
}
