using CircuitInsights.Models;

namespace CircuitInsights.Transcoders;

/// <summary>What the transcoders saw and produced at one layer during a replacement-model run (rows = b·T + t).</summary>
public sealed class LayerReplacement
{
    public required int Layer { get; init; }
    /// <summary>[rows, D] value at the transcoder's input hook.</summary>
    public required float[] Input { get; init; }
    /// <summary>[rows, K] encoder pre-activations when <see cref="ReplacementOptions.KeepPreActivations"/>, else null.</summary>
    public float[]? PreActivations { get; init; }
    public required SparseFeatures Active { get; init; }
    /// <summary>[rows, D] Σ a_f·W_dec_f + b_dec (+ skip): the transcoders' reconstruction of the output hook.</summary>
    public required float[] Reconstruction { get; init; }
    /// <summary>[rows, D] real output-hook value (the model's MLP output).</summary>
    public required float[] MlpOutput { get; init; }
    /// <summary>[rows, D] MlpOutput − Reconstruction (circuit-tracer's error node).</summary>
    public required float[] Error { get; init; }
}

/// <summary>Result of <see cref="ReplacementModel.Run"/>.</summary>
public sealed class ReplacementRun
{
    public required TokenBatch Batch { get; init; }
    public required ForwardResult Forward { get; init; }
    /// <summary>Per covered layer.</summary>
    public required IReadOnlyDictionary<int, LayerReplacement> Layers { get; init; }
    public required ReplacementOptions Options { get; init; }
}
