using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution;

/// <summary>Steer one feature: set its activation to <paramref name="Value"/>, or multiply it by <paramref name="Scale"/>
/// (exactly one is given). <paramref name="Position"/> null = every position; negative = from the end of each sequence.</summary>
public sealed record FeatureSteer(int Layer, int? Position, int Feature, float? Value = null, float? Scale = null)
{
    /// <summary>The activation to write given the live one.</summary>
    public float Target(float live) => Value ?? (Scale ?? 1f) * live;
}

/// <summary>
/// Live feature steering for any forward pass, e.g. every step of <see cref="Models.Generation.Greedy"/> (circuit-tracer
/// <c>feature_intervention_generate</c>): at a steered feature's input hook its live activation a is computed from the
/// live input (zero at position 0 when <c>zeroFirstPosition</c>, as the replacement model does); at every output hook
/// its transcoder writes to, (target − a)·W_dec is added. Nothing is frozen: attention and later MLPs see the change.
/// </summary>
public sealed class SteeringHook : IHookHandler
{
    readonly TranscoderSet _set;
    readonly FeatureSteer[] _steers;
    readonly bool _zeroFirst;
    readonly Dictionary<string, int> _inputs = new(StringComparer.Ordinal);   // hook name → layer
    readonly Dictionary<string, int> _outputs = new(StringComparer.Ordinal);  // hook name → output layer
    readonly Dictionary<int, float[]> _encoderColumns = new();
    // Pending decoder additions per output layer: (source layer, feature, position, batch row offset, delta).
    readonly Dictionary<int, List<(int Layer, int Feature, int Row, float Delta)>> _pending = new();

    public SteeringHook(TranscoderSet set, IReadOnlyList<FeatureSteer> steers, bool zeroFirstPosition = true)
    {
        foreach (var s in steers)
        {
            if (!set.Has(s.Layer)) throw new CircuitInsightsException($"steering: no transcoder at layer {s.Layer} (set covers {string.Join(", ", set.Layers)})");
            if ((uint)s.Feature >= (uint)set.Width) throw new CircuitInsightsException($"steering: feature {s.Feature} outside [0, {set.Width})");
            if ((s.Value is null) == (s.Scale is null)) throw new CircuitInsightsException("steering: give exactly one of a value or a scale");
            _inputs[set.InputHook(s.Layer).Name] = s.Layer;
            var tc = set[s.Layer];
            for (int j = tc.Layer; j < tc.Layer + tc.OutputLayerCount; j++) _outputs[set.OutputHook(j).Name] = j;
        }
        _set = set;
        _steers = steers.ToArray();
        _zeroFirst = zeroFirstPosition;
    }

    public bool Wants(HookPoint hook) => _inputs.ContainsKey(hook.Name) || _outputs.ContainsKey(hook.Name);

    public void OnHook(HookPoint hook, HookTensor value)
    {
        if (_inputs.TryGetValue(hook.Name, out int layer)) Read(layer, value);
        if (_outputs.TryGetValue(hook.Name, out int output) && _pending.Remove(output, out var adds))
        {
            int d = value.Shape[^1];
            foreach (var (src, feature, row, delta) in adds)
                _set[src].AddDecoderRow(output, feature, delta, value.Span.Slice(row * d, d));
        }
    }

    void Read(int layer, HookTensor input)
    {
        var tc = _set[layer];
        int d = input.Shape[^1];
        int T = input.Shape.Length >= 3 ? input.Shape[^2] : input.Length / d;
        int batch = input.Length / (T * d);
        foreach (var s in _steers.Where(s => s.Layer == layer))
        {
            for (int b = 0; b < batch; b++)
            {
                foreach (int p in Positions(s, T))
                {
                    int row = b * T + p;
                    float live = _zeroFirst && p == 0 ? 0f : LiveActivation(tc, s.Feature, input.Span.Slice(row * d, d));
                    float delta = s.Target(live) - live;
                    if (delta == 0f) continue;
                    for (int j = tc.Layer; j < tc.Layer + tc.OutputLayerCount; j++)
                    {
                        if (!_pending.TryGetValue(j, out var list)) _pending[j] = list = [];
                        list.Add((layer, s.Feature, row, delta));
                    }
                }
            }
        }
    }

    static IEnumerable<int> Positions(FeatureSteer s, int T)
    {
        if (s.Position is not int p) return Enumerable.Range(0, T);
        int q = p < 0 ? T + p : p;
        return (uint)q < (uint)T ? [q] : [];
    }

    float LiveActivation(Transcoder tc, int feature, ReadOnlySpan<float> x)
    {
        if (tc.Activation == TranscoderActivation.TopK)
        {
            var pre = new float[tc.Width];
            tc.PreActivations(x, 1, pre);
            tc.Activate(pre);
            return pre[feature];
        }
        var enc = EncoderColumn(tc, feature);
        float value = tc.EncoderBias[feature];
        if (tc.InputCentering is { } c)
            for (int i = 0; i < x.Length; i++) value += (x[i] - c[i]) * enc[i];
        else value += System.Numerics.Tensors.TensorPrimitives.Dot(x, enc);
        return tc.ActivateOne(feature, value);
    }

    float[] EncoderColumn(Transcoder tc, int feature)
    {
        int key = tc.Layer * _set.Width + feature;
        if (_encoderColumns.TryGetValue(key, out var col)) return col;
        col = new float[tc.DModel];
        tc.Encoder.Transposed().CopyRow(feature, col);
        return _encoderColumns[key] = col;
    }
}
