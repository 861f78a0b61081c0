using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Attribution;

/// <summary>
/// Transposed Jacobians of the norms with their denominators frozen (reference.md §3.1 "Manual backward"):
/// LayerNorm y = γ⊙(x − mean x)/s + β gives gₓ = P(γ⊙g)/s with P(v) = v − mean(v); RMSNorm y = (o + w)⊙x/s gives
/// gₓ = (o + w)⊙g/s. Also maps transcoder input/output hooks to the residual stream.
/// </summary>
public static class FrozenBackward
{
    /// <summary>dst += Jᵀ g for a norm with frozen scale <paramref name="s"/>; <paramref name="gain"/> null = no gain.</summary>
    public static void Norm(NormKind kind, float[]? gain, float gainOffset, float s, ReadOnlySpan<float> g, Span<float> dst)
    {
        int d = g.Length;
        float inv = 1f / s;
        if (kind == NormKind.LayerNorm)
        {
            double mean = 0;
            for (int i = 0; i < d; i++) mean += gain is null ? g[i] : gain[i] * g[i];
            float m = (float)(mean / d);
            for (int i = 0; i < d; i++) dst[i] += ((gain is null ? g[i] : gain[i] * g[i]) - m) * inv;
        }
        else
        {
            for (int i = 0; i < d; i++) dst[i] += (gain is null ? g[i] : (gainOffset + gain[i]) * g[i]) * inv;
        }
    }

    /// <summary>How a transcoder input hook of a block relates to that block's resid_mid.</summary>
    public sealed record InputHookMap(bool Identity, bool UsesGain, bool AddsBias);

    /// <summary>Resolves a transcoder input hook (block-relative name) for the model's norm kind.</summary>
    public static InputHookMap ResolveInputHook(DecoderSpec spec, string localName) => localName switch
    {
        HookNames.ResidMid => new InputHookMap(true, false, false),
        HookNames.Ln2NormalizedPreAffine => new InputHookMap(false, false, false),
        HookNames.Ln2Normalized => spec.Norm == NormKind.LayerNorm ? new InputHookMap(false, true, true) : new InputHookMap(false, false, false),
        HookNames.MlpIn => new InputHookMap(false, true, spec.Norm == NormKind.LayerNorm),
        _ => throw new CircuitInsightsException($"attribution does not support transcoders reading at '{localName}' (supported: {HookNames.ResidMid}, {HookNames.Ln2Normalized}, {HookNames.Ln2NormalizedPreAffine}, {HookNames.MlpIn})"),
    };

    /// <summary>dst += ∂(g·hook)/∂resid_mid at one position.</summary>
    public static void InputHookToResidMid(DecoderSpec spec, BlockWeights w, InputHookMap map, float ln2Scale, ReadOnlySpan<float> g, Span<float> dst)
    {
        if (map.Identity)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dst, g, dst);
            return;
        }
        Norm(spec.Norm, map.UsesGain ? w.Ln2.Weight : null, spec.NormGainOffset, ln2Scale, g, dst);
    }

    /// <summary>The constant g·β a hook adds (LayerNorm hooks that include the affine bias), else 0.</summary>
    public static float InputHookConstant(BlockWeights w, InputHookMap map, ReadOnlySpan<float> g) =>
        map.AddsBias && w.Ln2.Bias is { } b ? System.Numerics.Tensors.TensorPrimitives.Dot(g, b) : 0f;

    /// <summary>Whether a transcoder output hook is the residual-additive MLP output (identity) or Gemma's pre-post-norm
    /// MLP output (gradient scaled by (o + w)/s of the post-feed-forward norm).</summary>
    public static bool OutputHookIsResidual(DecoderSpec spec, string localName) => localName switch
    {
        HookNames.MlpOut => true,
        HookNames.MlpHookOut => !spec.PostMlpNorm,
        _ => throw new CircuitInsightsException($"attribution does not support transcoders writing at '{localName}' (supported: {HookNames.MlpOut}, {HookNames.MlpHookOut})"),
    };
}
