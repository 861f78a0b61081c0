using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Small random Llama-3 checkpoints in the exact HF layout (reference.md §1.3): <c>model.</c> keys, nn.Linear [out, in]
/// weights, RMSNorm gains applied as w, <c>lm_head.weight</c> [V, D] when untied. The default llama3 rope_scaling uses a
/// short original context so that, at head_dim 16, the high-, medium- and low-frequency rules all apply and change the
/// rotations noticeably within a dozen positions.
/// </summary>
public static class SyntheticLlama
{
    /// <param name="HeadDim">Written to config.json when set; null leaves it out (HF derives hidden_size / heads).</param>
    /// <param name="Llama3Scaling">(factor, low_freq_factor, high_freq_factor, original_max_position_embeddings) or null.</param>
    public sealed record Config(
        int Layers = 2, int DModel = 48, int Heads = 6, int KvHeads = 2, int? HeadDim = 16, int DMlp = 96, int Vocab = 275,
        double RopeTheta = 10000, (double Factor, double Low, double High, int Original)? Llama3Scaling = null,
        bool Tied = false, bool AttentionBias = false, bool MlpBias = false, float Eps = 1e-5f, string RopeStyle = "rope_scaling")
    {
        public int Dh => HeadDim ?? DModel / Heads;

        public static readonly (double, double, double, int) DefaultScaling = (8.0, 1.0, 4.0, 64);
    }

    public static Dictionary<string, object?> ConfigJson(Config c, DType dtype)
    {
        var json = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "LlamaForCausalLM" }, ["attention_bias"] = c.AttentionBias, ["attention_dropout"] = 0.0,
            ["bos_token_id"] = 272, ["eos_token_id"] = 273, ["hidden_act"] = "silu", ["hidden_size"] = c.DModel,
            ["initializer_range"] = 0.02, ["intermediate_size"] = c.DMlp, ["max_position_embeddings"] = 131072, ["mlp_bias"] = c.MlpBias,
            ["model_type"] = "llama", ["num_attention_heads"] = c.Heads, ["num_hidden_layers"] = c.Layers, ["num_key_value_heads"] = c.KvHeads,
            ["pretraining_tp"] = 1, ["rms_norm_eps"] = c.Eps, ["tie_word_embeddings"] = c.Tied,
            ["torch_dtype"] = dtype == DType.BF16 ? "bfloat16" : "float32", ["transformers_version"] = "4.45.0.dev0", ["use_cache"] = true,
            ["vocab_size"] = c.Vocab,
        };
        if (c.HeadDim is int hd) json["head_dim"] = hd;
        Dictionary<string, object>? scaling = c.Llama3Scaling is { } s
            ? new() { ["factor"] = s.Factor, ["low_freq_factor"] = s.Low, ["high_freq_factor"] = s.High, ["original_max_position_embeddings"] = s.Original, ["rope_type"] = "llama3" }
            : null;
        switch (c.RopeStyle)
        {
            case "rope_parameters": // transformers 5
                var rp = scaling ?? new Dictionary<string, object> { ["rope_type"] = "default" };
                rp["rope_theta"] = c.RopeTheta;
                json["rope_parameters"] = rp;
                break;
            case "legacy_type": // older configs spell the type "type"
                json["rope_theta"] = c.RopeTheta;
                if (scaling is not null) { scaling.Remove("rope_type"); scaling["type"] = "llama3"; }
                json["rope_scaling"] = scaling;
                break;
            default:
                json["rope_theta"] = c.RopeTheta;
                json["rope_scaling"] = scaling;
                break;
        }
        return json;
    }

    /// <summary>Random weights; <paramref name="bf16"/> rounds every value to bf16 precision.</summary>
    public static CheckpointTensors Create(Config c, int seed, bool bf16 = false)
    {
        var rng = new Random(seed);
        var t = new CheckpointTensors();
        int d = c.DModel, f = c.DMlp, qw = c.Heads * c.Dh, kvw = c.KvHeads * c.Dh;
        float[] N(int n, double std) => bf16 ? TestRandom.RoundToBf16(TestRandom.Normal(rng, n, std)) : TestRandom.Normal(rng, n, std);
        float[] Gain(int n) { var g = TestRandom.Normal(rng, n, 0.2); for (int i = 0; i < n; i++) g[i] += 1f; return bf16 ? TestRandom.RoundToBf16(g) : g; }
        t.Add("model.embed_tokens.weight", N(c.Vocab * d, 1.0), c.Vocab, d);
        for (int i = 0; i < c.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            t.Add(p + "input_layernorm.weight", Gain(d), d);
            t.Add(p + "self_attn.q_proj.weight", N(qw * d, 0.3), qw, d);
            t.Add(p + "self_attn.k_proj.weight", N(kvw * d, 0.3), kvw, d);
            t.Add(p + "self_attn.v_proj.weight", N(kvw * d, 0.3), kvw, d);
            t.Add(p + "self_attn.o_proj.weight", N(d * qw, 0.2), d, qw);
            if (c.AttentionBias)
            {
                t.Add(p + "self_attn.q_proj.bias", N(qw, 0.2), qw);
                t.Add(p + "self_attn.k_proj.bias", N(kvw, 0.2), kvw);
                t.Add(p + "self_attn.v_proj.bias", N(kvw, 0.2), kvw);
                t.Add(p + "self_attn.o_proj.bias", N(d, 0.2), d);
            }
            t.Add(p + "post_attention_layernorm.weight", Gain(d), d);
            t.Add(p + "mlp.gate_proj.weight", N(f * d, 0.3), f, d);
            t.Add(p + "mlp.up_proj.weight", N(f * d, 0.3), f, d);
            t.Add(p + "mlp.down_proj.weight", N(d * f, 0.2), d, f);
            if (c.MlpBias)
            {
                t.Add(p + "mlp.gate_proj.bias", N(f, 0.2), f);
                t.Add(p + "mlp.up_proj.bias", N(f, 0.2), f);
                t.Add(p + "mlp.down_proj.bias", N(d, 0.2), d);
            }
        }
        t.Add("model.norm.weight", Gain(d), d);
        if (!c.Tied) t.Add("lm_head.weight", N(c.Vocab * d, 0.3), c.Vocab, d);
        return t;
    }
}
