namespace CircuitInsights.Models.Hooks;

/// <summary>
/// Hook names (TransformerLens vocabulary plus circuit-tracer's <c>mlp.hook_in/out</c> and our explicit
/// <c>ln2.hook_normalized_pre_affine</c>). Shapes use B batch, T positions, D d_model, H query heads, Hkv key/value heads,
/// Dh head dim, F d_mlp. Semantics (see docs/hooks.md):
/// <list type="bullet">
/// <item><c>ln?.hook_normalized</c>: TransformerLens semantics without weight folding — for LayerNorm the output AFTER
/// γ,β; for RMSNorm the normalised input BEFORE the gain (this is where Gemma Scope transcoders read).</item>
/// <item><c>ln2.hook_normalized_pre_affine</c>: always the normalised input before any gain/bias. For GPT-2 this is
/// TransformerLens' <c>ln2.hook_normalized</c> under fold_ln=True, where the pchlenski transcoders read.</item>
/// <item><c>mlp.hook_in</c>: the MLP's actual input (norm output with gain/affine).</item>
/// <item><c>mlp.hook_out</c>: the MLP module's output; <c>hook_mlp_out</c>: what is added to the residual (after
/// Gemma's post-feed-forward norm; identical to mlp.hook_out for GPT-2 and Llama).</item>
/// </list>
/// </summary>
public static class HookNames
{
    // model level
    public const string Embed = "hook_embed";                        // [B,T,D] token embedding (× sqrt(D) for Gemma)
    public const string PosEmbed = "hook_pos_embed";                 // [B,T,D] learned positions (GPT-2)
    public const string LnFinalScale = "ln_final.hook_scale";        // [B,T,1]
    public const string LnFinalNormalized = "ln_final.hook_normalized"; // [B,T,D]
    public const string UnembedPre = "unembed.hook_pre";             // [B,T,D] input of the unembedding (final norm incl. gain)

    // block level
    public const string ResidPre = "hook_resid_pre";                 // [B,T,D]
    public const string Ln1Scale = "ln1.hook_scale";                 // [B,T,1]
    public const string Ln1Normalized = "ln1.hook_normalized";       // [B,T,D]
    public const string Q = "attn.hook_q";                           // [B,T,H,Dh]
    public const string K = "attn.hook_k";                           // [B,T,Hkv,Dh]
    public const string V = "attn.hook_v";                           // [B,T,Hkv,Dh]
    public const string RotQ = "attn.hook_rot_q";                    // [B,T,H,Dh] (rotary models)
    public const string RotK = "attn.hook_rot_k";                    // [B,T,Hkv,Dh]
    public const string AttnScores = "attn.hook_attn_scores";        // [B,H,T,T] scaled, soft-capped, masked (−inf)
    public const string Pattern = "attn.hook_pattern";               // [B,H,T,T]
    public const string Z = "attn.hook_z";                           // [B,T,H,Dh]
    public const string Ln1PostScale = "ln1_post.hook_scale";        // [B,T,1] (Gemma post-attention norm)
    public const string AttnOut = "hook_attn_out";                   // [B,T,D] added to the residual
    public const string ResidMid = "hook_resid_mid";                 // [B,T,D]
    public const string Ln2Scale = "ln2.hook_scale";                 // [B,T,1]
    public const string Ln2Normalized = "ln2.hook_normalized";       // [B,T,D]
    public const string Ln2NormalizedPreAffine = "ln2.hook_normalized_pre_affine"; // [B,T,D]
    public const string MlpIn = "mlp.hook_in";                       // [B,T,D]
    public const string MlpPre = "mlp.hook_pre";                     // [B,T,F] pre-activation (gate branch for gated MLPs)
    public const string MlpPreLinear = "mlp.hook_pre_linear";        // [B,T,F] up-projection of gated MLPs
    public const string MlpPost = "mlp.hook_post";                   // [B,T,F]
    public const string MlpHookOut = "mlp.hook_out";                 // [B,T,D] MLP module output
    public const string Ln2PostScale = "ln2_post.hook_scale";        // [B,T,1] (Gemma post-feed-forward norm)
    public const string MlpOut = "hook_mlp_out";                     // [B,T,D] added to the residual
    public const string ResidPost = "hook_resid_post";               // [B,T,D]

    public static readonly IReadOnlySet<string> ModelHooks = new HashSet<string>(StringComparer.Ordinal)
    {
        Embed, PosEmbed, LnFinalScale, LnFinalNormalized, UnembedPre,
    };

    public static readonly IReadOnlySet<string> BlockHooks = new HashSet<string>(StringComparer.Ordinal)
    {
        ResidPre, Ln1Scale, Ln1Normalized, Q, K, V, RotQ, RotK, AttnScores, Pattern, Z, Ln1PostScale, AttnOut, ResidMid,
        Ln2Scale, Ln2Normalized, Ln2NormalizedPreAffine, MlpIn, MlpPre, MlpPreLinear, MlpPost, MlpHookOut, Ln2PostScale,
        MlpOut, ResidPost,
    };
}
