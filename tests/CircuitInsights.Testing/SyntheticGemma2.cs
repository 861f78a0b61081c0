using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Small random Gemma-2 checkpoints in the exact HF layout (reference.md §1.2): <c>model.</c> keys, nn.Linear [out, in]
/// weights, four RMSNorm gains per block stored as w (applied as 1 + w), no lm_head. The defaults exercise what the real
/// model does at full scale: GQA, head_dim ≠ D/H, query_pre_attn_scalar ≠ head_dim, both soft-caps in their non-linear
/// range, a sliding window shorter than the test prompts.
/// </summary>
public static class SyntheticGemma2
{
    public sealed record Config(
        int Layers = 3, int DModel = 40, int Heads = 4, int KvHeads = 2, int HeadDim = 16, int DMlp = 64, int Vocab = 286,
        double QueryPreAttnScalar = 20, float? AttnSoftcap = 5f, float? FinalSoftcap = 3f, int? SlidingWindow = 4,
        string[]? LayerTypes = null, double RopeTheta = 10000, float Eps = 1e-6f, bool RopeParameters = false)
    {
        /// <summary>Whether layer <paramref name="l"/> uses the sliding window (layer_types, else HF's even layers).</summary>
        public bool IsSliding(int l) => SlidingWindow is not null && (LayerTypes is { } t ? t[l] == "sliding_attention" : l % 2 == 0);
    }

    /// <summary>The config.json of <paramref name="c"/> (Gemma-2-2B's keys, small values).</summary>
    public static Dictionary<string, object?> ConfigJson(Config c, DType dtype)
    {
        var json = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "Gemma2ForCausalLM" }, ["attention_bias"] = false, ["attention_dropout"] = 0.0,
            ["attn_logit_softcapping"] = c.AttnSoftcap, ["bos_token_id"] = 2, ["cache_implementation"] = "hybrid", ["eos_token_id"] = 1,
            ["final_logit_softcapping"] = c.FinalSoftcap, ["head_dim"] = c.HeadDim, ["hidden_act"] = "gelu_pytorch_tanh",
            ["hidden_activation"] = "gelu_pytorch_tanh", ["hidden_size"] = c.DModel, ["initializer_range"] = 0.02,
            ["intermediate_size"] = c.DMlp, ["max_position_embeddings"] = 8192, ["model_type"] = "gemma2",
            ["num_attention_heads"] = c.Heads, ["num_hidden_layers"] = c.Layers, ["num_key_value_heads"] = c.KvHeads, ["pad_token_id"] = 0,
            ["query_pre_attn_scalar"] = c.QueryPreAttnScalar, ["rms_norm_eps"] = c.Eps, ["sliding_window"] = c.SlidingWindow,
            ["torch_dtype"] = dtype == DType.BF16 ? "bfloat16" : "float32", ["transformers_version"] = "4.42.4", ["use_cache"] = true,
            ["vocab_size"] = c.Vocab,
        };
        if (c.RopeParameters) json["rope_parameters"] = new Dictionary<string, object> { ["rope_theta"] = c.RopeTheta, ["rope_type"] = "default" };
        else json["rope_theta"] = c.RopeTheta;
        if (c.LayerTypes is { } types) json["layer_types"] = types;
        return json;
    }

    /// <summary>Random weights; <paramref name="bf16"/> rounds every value to bf16 precision.</summary>
    public static CheckpointTensors Create(Config c, int seed, bool bf16 = false)
    {
        var rng = new Random(seed);
        var t = new CheckpointTensors();
        int d = c.DModel, f = c.DMlp, qw = c.Heads * c.HeadDim, kvw = c.KvHeads * c.HeadDim;
        float[] N(int n, double std) => bf16 ? TestRandom.RoundToBf16(TestRandom.Normal(rng, n, std)) : TestRandom.Normal(rng, n, std);
        t.Add("model.embed_tokens.weight", N(c.Vocab * d, 0.5), c.Vocab, d);
        for (int i = 0; i < c.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            t.Add(p + "input_layernorm.weight", N(d, 0.2), d);
            t.Add(p + "self_attn.q_proj.weight", N(qw * d, 0.3), qw, d);
            t.Add(p + "self_attn.k_proj.weight", N(kvw * d, 0.3), kvw, d);
            t.Add(p + "self_attn.v_proj.weight", N(kvw * d, 0.3), kvw, d);
            t.Add(p + "self_attn.o_proj.weight", N(d * qw, 0.2), d, qw);
            t.Add(p + "post_attention_layernorm.weight", N(d, 0.2), d);
            t.Add(p + "pre_feedforward_layernorm.weight", N(d, 0.2), d);
            t.Add(p + "mlp.gate_proj.weight", N(f * d, 0.3), f, d);
            t.Add(p + "mlp.up_proj.weight", N(f * d, 0.3), f, d);
            t.Add(p + "mlp.down_proj.weight", N(d * f, 0.2), d, f);
            t.Add(p + "post_feedforward_layernorm.weight", N(d, 0.2), d);
        }
        t.Add("model.norm.weight", N(d, 0.2), d);
        return t;
    }
}
