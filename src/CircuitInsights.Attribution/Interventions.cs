using CircuitInsights.Models;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution;

/// <summary>Set a feature's activation at a position to <paramref name="Value"/> (scale/zero are special cases).</summary>
public sealed record FeatureIntervention(int Layer, int Position, int Feature, float Value);

/// <summary>What stays frozen at its clean-run value during an intervened forward pass.</summary>
public sealed record InterventionOptions
{
    /// <summary>Attention patterns of every layer.</summary>
    public bool FreezeAttention { get; init; } = true;
    /// <summary>Every norm denominator (hook_scale).</summary>
    public bool FreezeNorms { get; init; }
    /// <summary>Every MLP output (constrained layers): the intervention's decoder deltas are then the only change.</summary>
    public bool FreezeMlps { get; init; }
    public bool ZeroFirstPosition { get; init; } = true;
}

/// <summary>
/// Feature interventions (circuit-tracer <c>feature_intervention</c>): runs the clean prompt, then a second forward that
/// adds (new − old)·W_dec of each intervened feature at its output hook(s), with attention, norms and MLPs optionally frozen
/// to their clean values. With everything frozen the model is linear and the change of every target equals the
/// attribution edge (scaled) — the check circuit-tracer's tests use.
/// </summary>
public static class Interventions
{
    public sealed record Result(ReplacementRun Clean, ReplacementRun Intervened);

    public static Result Run(ReplacementModel model, int[] tokens, IReadOnlyList<FeatureIntervention> interventions, InterventionOptions? options = null)
    {
        options ??= new InterventionOptions();
        var spec = model.Model.Spec;
        var frozenNames = new List<string>();
        for (int l = 0; l < spec.Layers; l++)
        {
            string p = $"blocks.{l}.";
            if (options.FreezeAttention) frozenNames.Add(p + HookNames.Pattern);
            if (options.FreezeNorms) frozenNames.AddRange([p + HookNames.Ln1Scale, p + HookNames.Ln2Scale, p + HookNames.Ln1PostScale, p + HookNames.Ln2PostScale]);
            if (options.FreezeMlps) frozenNames.Add(model.Transcoders.Has(l) ? model.Transcoders.OutputHook(l).Name : p + HookNames.MlpOut);
        }
        if (options.FreezeNorms) frozenNames.Add(HookNames.LnFinalScale);
        var clean = new ActivationTrace(frozenNames);
        var replOptions = new ReplacementOptions { ZeroFirstPosition = options.ZeroFirstPosition, KeepPreActivations = true, KeepPreSoftcapLogits = true };
        var cleanRun = model.Run(TokenBatch.Single(tokens), replOptions with { ExtraHooks = clean });

        // Decoder deltas per output hook (layer), [T, D].
        int T = tokens.Length, D = spec.DModel;
        var deltas = new Dictionary<int, float[]>();
        foreach (var iv in interventions)
        {
            if ((uint)iv.Position >= (uint)T) throw new CircuitInsightsException($"intervention position {iv.Position} outside the prompt's {T} tokens");
            var tc = model.Transcoders[iv.Layer];
            if ((uint)iv.Feature >= (uint)tc.Width) throw new CircuitInsightsException($"feature {iv.Feature} outside [0, {tc.Width})");
            float old = cleanRun.Layers[iv.Layer].Active.Get(iv.Position, iv.Feature);
            for (int outLayer = tc.Layer; outLayer < tc.Layer + tc.OutputLayerCount && outLayer < spec.Layers; outLayer++)
            {
                if (!deltas.TryGetValue(outLayer, out var delta)) deltas[outLayer] = delta = new float[T * D];
                tc.AddDecoderRow(outLayer, iv.Feature, iv.Value - old, delta.AsSpan(iv.Position * D, D));
            }
        }

        var outputHooks = model.Transcoders.Layers.ToDictionary(l => model.Transcoders.OutputHook(l).Name, l => l);
        // A frozen MLP keeps its transcoder's linear skip live (circuit-tracer: skip + (out − skip).detach()).
        var skipInputs = options.FreezeMlps
            ? model.Transcoders.All.Where(t => t.Skip is not null).ToDictionary(t => model.Transcoders.InputHook(t.Layer).Name, t => t.Layer)
            : [];
        var liveInputs = new Dictionary<int, float[]>();
        var handler = HookHandlers.Create(
            hook => clean.Wants(hook) || outputHooks.ContainsKey(hook.Name) || skipInputs.ContainsKey(hook.Name),
            (hook, value) =>
            {
                if (skipInputs.TryGetValue(hook.Name, out int inLayer)) liveInputs[inLayer] = value.ToArray();
                if (clean.Contains(hook.Name)) clean.Get(hook.Name).Data.AsSpan().CopyTo(value.Span);
                if (!outputHooks.TryGetValue(hook.Name, out int layer)) return;
                if (liveInputs.TryGetValue(layer, out var live)) AddSkipChange(model.Transcoders[layer], cleanRun.Layers[layer].Input, live, value.Span, D);
                if (deltas.TryGetValue(layer, out var delta)) System.Numerics.Tensors.TensorPrimitives.Add(value.Span, delta, value.Span);
            });
        var intervened = model.Run(TokenBatch.Single(tokens), replOptions with { ExtraHooks = handler });
        return new Result(cleanRun, intervened);
    }

    /// <summary>value += (x_live − x_clean)·W_skip for every row.</summary>
    static void AddSkipChange(Transcoder tc, float[] cleanInput, float[] liveInput, Span<float> value, int d)
    {
        var diff = new float[liveInput.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(liveInput, cleanInput, diff);
        for (int r = 0; r < diff.Length / d; r++) tc.AddSkip(diff.AsSpan(r * d, d), value.Slice(r * d, d));
    }
}
