using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Models.Components;

/// <summary>Per-forward state shared by the block functions: batch geometry and hook dispatch.</summary>
internal sealed class ForwardContext(int batch, int positions, IHookHandler? hooks, ForwardProfile? profile = null)
{
    public int Batch { get; } = batch;
    public int Positions { get; } = positions;
    public int Rows => Batch * Positions;
    public IHookHandler? Hooks { get; } = hooks;
    public ForwardProfile? Profile { get; } = profile;

    public bool Wants(HookPoint hook) => Hooks?.Wants(hook) == true;

    /// <summary>Delivers the live buffer (edits flow on).</summary>
    public void Emit(HookPoint hook, float[] buffer, params int[] shape)
    {
        if (Hooks is { } h && h.Wants(hook)) h.OnHook(hook, new HookTensor(buffer, shape));
    }

    /// <summary>Delivers a copy (edits are ignored): for derived values the forward does not read back.</summary>
    public void EmitCopy(HookPoint hook, ReadOnlySpan<float> values, params int[] shape)
    {
        if (Hooks is { } h && h.Wants(hook)) h.OnHook(hook, new HookTensor(values.ToArray(), shape));
    }
}
