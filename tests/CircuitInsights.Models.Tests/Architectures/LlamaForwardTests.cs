using CircuitInsights.Formats;
using CircuitInsights.Models.Architectures.Llama;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests.Architectures;

/// <summary>The production decoder on Llama-3 checkpoints against <see cref="ReferenceLlama"/> (fp64, HF equations).</summary>
public class LlamaForwardTests
{
    // GQA (6 heads, 2 kv heads), head_dim 16 ≠ D/H = 8, llama3 rope_scaling with all three frequency regimes, untied.
    static readonly SyntheticLlama.Config Config = new(Llama3Scaling: SyntheticLlama.Config.DefaultScaling);

    [Fact]
    public void Forward_Untied_LogitsMatchReference()
    {
        var w = SyntheticLlama.Create(Config, seed: 1);
        int[] tokens = TestRandom.Tokens(new Random(2), 12, Config.Vocab);
        using var model = SyntheticModels.Llama(Config, w);
        Assert.False(model.Spec.TiedEmbeddings);
        var result = model.Forward(TokenBatch.Single(tokens));
        Assert.Equal([1, 12, Config.Vocab], result.LogitsShape);
        NumericAssert.Close(ReferenceLlama.Forward(w, Config, tokens).Logits, result.Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_EveryHook_MatchesReference()
    {
        var w = SyntheticLlama.Create(Config, seed: 3);
        int[] tokens = TestRandom.Tokens(new Random(4), 11, Config.Vocab);
        var reference = ReferenceLlama.Forward(w, Config, tokens);
        var trace = new ActivationTrace(reference.Hooks.Keys);
        using var model = SyntheticModels.Llama(Config, w);
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace });
        Assert.Equal(reference.Hooks.Count, trace.Recorded.Count);
        Assert.Equal(1 + Config.Layers * 23 + 3, reference.Hooks.Count); // no post-norm scales, no hook_pos_embed
        foreach (var (name, expected) in reference.Hooks)
            NumericAssert.CloseWithInfinities(expected, trace.Get(name).Data, 1e-4, name);
    }

    [Fact]
    public void Forward_TiedBf16_DerivedHeadDim_MatchesReference()
    {
        var c = Config with { Tied = true, HeadDim = null };
        var w = SyntheticLlama.Create(c, seed: 5, bf16: true);
        Assert.False(w.Tensors.ContainsKey("lm_head.weight"));
        int[] tokens = TestRandom.Tokens(new Random(6), 12, c.Vocab);
        using var model = SyntheticModels.Llama(c, w, DType.BF16);
        Assert.Equal(8, model.Spec.HeadDim);
        Assert.Equal(DType.BF16, model.Weights.UnembedRaw.DType);
        Assert.Equal(DType.BF16, model.Weights.Unembed.StorageType);
        NumericAssert.Close(ReferenceLlama.Forward(w, c, tokens).Logits, model.Forward(TokenBatch.Single(tokens)).Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_AttentionAndMlpBiases_MatchReference()
    {
        var c = Config with { AttentionBias = true, MlpBias = true };
        var w = SyntheticLlama.Create(c, seed: 7);
        int[] tokens = TestRandom.Tokens(new Random(8), 10, c.Vocab);
        var reference = ReferenceLlama.Forward(w, c, tokens);
        var trace = new ActivationTrace(["blocks.1.attn.hook_k", "blocks.1.mlp.hook_pre", "blocks.1.mlp.hook_pre_linear", "blocks.1.mlp.hook_out"]);
        using var model = SyntheticModels.Llama(c, w);
        var r = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace });
        foreach (var name in trace.Recorded) NumericAssert.Close(reference.Hooks[name], trace.Get(name).Data, 1e-4, name);
        NumericAssert.Close(reference.Logits, r.Logits, 1e-4, "logits");
        // The biases matter: dropping them from the reference changes the logits.
        var unbiased = new CheckpointTensors();
        foreach (var (name, (data, shape)) in w.Tensors.Where(t => !t.Key.EndsWith(".bias"))) unbiased.Add(name, data, shape);
        Assert.True(ReferenceLlama.Forward(unbiased, c, tokens).Logits.Zip(reference.Logits, (a, b) => Math.Abs(a - b)).Max() > 1e-2);
    }

    [Fact]
    public void RotaryEmbedding_Llama3Scaling_MatchesReferenceInAllRegimes()
    {
        var spec = SyntheticModels.ReadConfig(new LlamaArchitecture(), SyntheticLlama.ConfigJson(Config, DType.F32));
        var inv = RotaryEmbedding.InverseFrequencies(spec.Rope!);
        var expected = ReferenceLlama.InverseFrequencies(Config);
        var plain = ReferenceOps.InverseFrequencies(Config.RopeTheta, Config.Dh);
        NumericAssert.Close(expected, inv, 1e-6, "inv_freq");
        Assert.Contains(Enumerable.Range(0, plain.Length), i => expected[i] == plain[i]);                      // high frequency: unchanged
        Assert.Contains(Enumerable.Range(0, plain.Length), i => Math.Abs(expected[i] - plain[i] / 8) < 1e-15); // low frequency: / factor
        Assert.Contains(Enumerable.Range(0, plain.Length), i => expected[i] < plain[i] && expected[i] > plain[i] / 8 * 1.0001); // smoothed
    }

    [Fact]
    public void Forward_WithoutRopeScaling_DiffersAndMatchesReference()
    {
        var plain = Config with { Llama3Scaling = null };
        var w = SyntheticLlama.Create(plain, seed: 9);
        int[] tokens = TestRandom.Tokens(new Random(10), 12, plain.Vocab);
        using var a = SyntheticModels.Llama(plain, w);
        using var b = SyntheticModels.Llama(Config, w);
        var la = a.Forward(TokenBatch.Single(tokens)).Logits!;
        NumericAssert.Close(ReferenceLlama.Forward(w, plain, tokens).Logits, la, 1e-4, "plain rope");
        Assert.True(la.Zip(b.Forward(TokenBatch.Single(tokens)).Logits!, (x, y) => Math.Abs(x - y)).Max() > 1e-2);
    }

    [Theory]
    [InlineData("rope_parameters")]
    [InlineData("legacy_type")]
    public void ReadConfig_OtherRopeSpellings_GiveSameSpec(string style)
    {
        var arch = new LlamaArchitecture();
        var standard = SyntheticModels.ReadConfig(arch, SyntheticLlama.ConfigJson(Config, DType.F32));
        var other = SyntheticModels.ReadConfig(arch, SyntheticLlama.ConfigJson(Config with { RopeStyle = style }, DType.F32));
        Assert.Equal(standard.Rope, other.Rope);
        Assert.NotNull(other.Rope!.Llama3Scaling);
    }

    [Theory]
    [InlineData("yarn")]
    [InlineData("dynamic")]
    [InlineData("linear")]
    public void ReadConfig_UnsupportedRopeType_IsOneClearLine(string type)
    {
        var json = SyntheticLlama.ConfigJson(Config, DType.F32);
        json["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = type, ["factor"] = 2.0 };
        var ex = Assert.Throws<InvalidModelFileException>(() => SyntheticModels.ReadConfig(new LlamaArchitecture(), json));
        Assert.Contains($"'{type}' is not supported", ex.Message);
        Assert.Contains("config.json", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReadConfig_Llama32_1B_GivesPublishedSpec()
    {
        // meta-llama/Llama-3.2-1B config.json (reference.md §1.3).
        const string json = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
         "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
         "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0",
         "use_cache": true, "vocab_size": 128256}
        """;
        var spec = new LlamaArchitecture().ReadConfig(JsonConfig.Parse(json, "config.json"));
        Assert.Equal((16, 2048, 32, 8, 64, 8192, 128256), (spec.Layers, spec.DModel, spec.Heads, spec.KvHeads, spec.HeadDim, spec.DMlp, spec.Vocab));
        Assert.Equal(0.125f, spec.AttentionScale);
        Assert.Equal(1e-5f, spec.NormEps);
        Assert.Equal(0f, spec.NormGainOffset);
        Assert.True(spec.TiedEmbeddings);
        Assert.Equal(new RopeSpec(500000.0, 64, new Llama3RopeScaling(32f, 1f, 4f, 8192)), spec.Rope);
        Assert.Equal(1f, spec.EmbeddingScale);
        Assert.False(spec.PostAttentionNorm || spec.PostMlpNorm || spec.AttentionBias || spec.MlpBias);
        Assert.Null(spec.SlidingWindow);
        Assert.Equal(ActivationKind.Silu, spec.Activation);
        Assert.DoesNotContain(LlamaWeightMap.ExpectedTensors(spec), t => t.Name == "lm_head.weight");
        Assert.Equal(2 + 16 * 9, LlamaWeightMap.ExpectedTensors(spec).Count());
    }

    [Fact]
    public void ReadConfig_TieWordEmbeddingsAbsent_DefaultsToUntied()
    {
        var json = SyntheticLlama.ConfigJson(Config with { Tied = true }, DType.F32);
        json.Remove("tie_word_embeddings");
        var spec = SyntheticModels.ReadConfig(new LlamaArchitecture(), json);
        Assert.False(spec.TiedEmbeddings); // LlamaConfig default
        var w = SyntheticLlama.Create(Config with { Tied = true }, seed: 11);
        var ex = Assert.Throws<InvalidModelFileException>(() => LlamaWeightMap.Load(w.ToSource(), spec));
        Assert.Contains("lm_head.weight", ex.Message);
    }

    [Fact]
    public void Load_Int64Weight_NamesTensorAndDtype()
    {
        var w = SyntheticLlama.Create(Config, seed: 12);
        var src = w.ToSource();
        var bad = new InMemoryTensorSource();
        foreach (var info in src.Tensors)
            bad.Add(info.Name == "model.layers.1.self_attn.v_proj.weight"
                ? TensorData.FromRaw(info.Name, DType.I64, info.Shape, new byte[info.ElementCount * 8])
                : src.Load(info.Name));
        var spec = SyntheticModels.ReadConfig(new LlamaArchitecture(), SyntheticLlama.ConfigJson(Config, DType.F32));
        var ex = Assert.Throws<InvalidModelFileException>(() => LlamaWeightMap.Load(bad, spec));
        Assert.Contains("model.layers.1.self_attn.v_proj.weight", ex.Message);
        Assert.Contains("I64", ex.Message);
    }
}
