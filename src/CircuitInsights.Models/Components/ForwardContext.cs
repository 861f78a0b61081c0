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

    readonly Dictionary<string, float[]> _workspace = new(StringComparer.Ordinal);

    /// <summary>
    /// A scratch buffer of at least <paramref name="length"/> values for an intermediate of one block (contents undefined).
    /// When no handler wants any of the hooks <paramref name="exposedAt"/> the same buffer is reused by every block of the
    /// forward pass (a 2B model would otherwise leave ~200 MB of garbage per block); when a handler does see it, a fresh
    /// array is returned, so handlers may keep the buffers they are given.
    /// </summary>
    public float[] Scratch(string slot, long length, params HookPoint[] exposedAt)
    {
        foreach (var h in exposedAt)
            if (Wants(h)) return new float[length];
        if (!_workspace.TryGetValue(slot, out var buffer) || buffer.LongLength != length)
            _workspace[slot] = buffer = GC.AllocateUninitializedArray<float>(checked((int)length));
        return buffer;
    }

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
