using CircuitInsights.Models;
using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Transcoders;

/// <summary>How a replacement-model run treats the model and the transcoders.</summary>
public sealed record ReplacementOptions
{
    /// <summary>Zero feature activations at position 0 (the BOS position), as circuit-tracer does; the error there then
    /// carries the whole MLP output.</summary>
    public bool ZeroFirstPosition { get; init; } = true;
    /// <summary>Replace each covered MLP output by the reconstruction (features then see upstream reconstructions, not the
    /// real MLP outputs). Off = the exact model runs and differences are reported as errors (circuit-tracer's convention).</summary>
    public bool Splice { get; init; }
    /// <summary>Keep the dense [rows, K] pre-activations of every layer (memory: rows·K floats per layer).</summary>
    public bool KeepPreActivations { get; init; }
    /// <summary>Run only blocks [0, StopAtLayer).</summary>
    public int? StopAtLayer { get; init; }
    public LogitsMode Logits { get; init; } = LogitsMode.All;
    /// <summary>Also keep logits before the final soft-cap (models with one).</summary>
    public bool KeepPreSoftcapLogits { get; init; }
    /// <summary>Extra handler (e.g. a trace of patterns and norm scales for attribution, or an intervention).</summary>
    public IHookHandler? ExtraHooks { get; init; }
}
