using CircuitInsights.Formats;
using CircuitInsights.Models.Architectures.Gemma2;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests.Architectures;

/// <summary>The production decoder on Gemma-2 checkpoints against <see cref="ReferenceGemma2"/> (fp64, HF equations).</summary>
public class Gemma2ForwardTests
{
    // GQA (4 heads, 2 kv heads), head_dim 16 ≠ D/H, query_pre_attn_scalar 20, soft-caps 5 / 3, window 4 on layers 0 and 2.
    static readonly SyntheticGemma2.Config Config = new();

    [Fact]
    public void Forward_RandomWeights_LogitsMatchReference()
    {
        var w = SyntheticGemma2.Create(Config, seed: 1);
        int[] tokens = TestRandom.Tokens(new Random(2), 11, Config.Vocab);
        using var model = SyntheticModels.Gemma2(Config, w);
        var result = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { KeepPreSoftcapLogits = true });
        var reference = ReferenceGemma2.Forward(w, Config, tokens);
        Assert.Equal([1, 11, Config.Vocab], result.LogitsShape);
        NumericAssert.Close(reference.Logits, result.Logits, 1e-4, "logits");
        NumericAssert.Close(reference.PreSoftcapLogits, result.PreSoftcapLogits, 1e-4, "pre-softcap logits");
    }

    [Fact]
    public void Forward_EveryHook_MatchesReference()
    {
        var w = SyntheticGemma2.Create(Config, seed: 3);
        int[] tokens = TestRandom.Tokens(new Random(4), 11, Config.Vocab);
        var reference = ReferenceGemma2.Forward(w, Config, tokens);
        var trace = new ActivationTrace(reference.Hooks.Keys);
        using var model = SyntheticModels.Gemma2(Config, w);
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace });
        Assert.Equal(reference.Hooks.Count, trace.Recorded.Count);
        Assert.Equal(1 + Config.Layers * 25 + 3, reference.Hooks.Count); // every Gemma hook of HookNames except hook_pos_embed
        foreach (var (name, expected) in reference.Hooks)
            NumericAssert.CloseWithInfinities(expected, trace.Get(name).Data, 1e-4, name);
    }

    [Fact]
    public void Forward_SlidingLayers_MaskKeysOutsideTheWindow()
    {
        var w = SyntheticGemma2.Create(Config, seed: 5);
        int[] tokens = TestRandom.Tokens(new Random(6), 11, Config.Vocab);
        var trace = new ActivationTrace(Enumerable.Range(0, Config.Layers).Select(l => $"blocks.{l}.attn.hook_pattern"));
        using var model = SyntheticModels.Gemma2(Config, w);
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace });
        int T = tokens.Length;
        for (int l = 0; l < Config.Layers; l++)
        {
            var pattern = trace.Get($"blocks.{l}.attn.hook_pattern").Data; // [1, H, T, T]
            double outside = 0;
            for (int h = 0; h < Config.Heads; h++)
                for (int p = 0; p < T; p++)
                    for (int s = 0; s <= p - 4; s++) outside += pattern[(h * T + p) * T + s];
            if (l % 2 == 0) Assert.Equal(0.0, outside); // HF: sliding window on even layers (0, 2)
            else Assert.True(outside > 0.1, $"global layer {l} attends beyond the window: {outside}");
        }
    }

    [Fact]
    public void Forward_WithoutWindow_DiffersAndMatchesReference()
    {
        var w = SyntheticGemma2.Create(Config, seed: 7);
        int[] tokens = TestRandom.Tokens(new Random(8), 11, Config.Vocab);
        var noWindow = Config with { SlidingWindow = null };
        using var windowed = SyntheticModels.Gemma2(Config, w);
        using var global = SyntheticModels.Gemma2(noWindow, w);
        var a = windowed.Forward(TokenBatch.Single(tokens)).Logits!;
        var b = global.Forward(TokenBatch.Single(tokens)).Logits!;
        NumericAssert.Close(ReferenceGemma2.Forward(w, noWindow, tokens).Logits, b, 1e-4, "no window");
        Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() > 1e-2, "the window must change the logits of this prompt");
    }

    [Fact]
    public void Forward_LayerTypesInConfig_DecideSlidingLayers()
    {
        var c = Config with { LayerTypes = ["full_attention", "sliding_attention", "full_attention"] };
        var spec = SyntheticModels.ReadConfig(new Gemma2Architecture(), SyntheticGemma2.ConfigJson(c, DType.F32));
        Assert.Equal([false, true, false], spec.SlidingWindowLayers!);
        var w = SyntheticGemma2.Create(c, seed: 9);
        int[] tokens = TestRandom.Tokens(new Random(10), 11, c.Vocab);
        using var model = SyntheticModels.Gemma2(c, w);
        NumericAssert.Close(ReferenceGemma2.Forward(w, c, tokens).Logits, model.Forward(TokenBatch.Single(tokens)).Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_SoftCaps_AreInTheirNonLinearRange()
    {
        var w = SyntheticGemma2.Create(Config, seed: 11);
        int[] tokens = TestRandom.Tokens(new Random(12), 11, Config.Vocab);
        var trace = new ActivationTrace(Enumerable.Range(0, Config.Layers).Select(l => $"blocks.{l}.attn.hook_attn_scores"));
        using var model = SyntheticModels.Gemma2(Config, w);
        var r = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { KeepPreSoftcapLogits = true, Hooks = trace });
        // Logits: the final cap (3) bends many values noticeably; after it every value is inside (−3, 3).
        Assert.Contains(r.PreSoftcapLogits!, v => Math.Abs(v) > 3);
        Assert.All(r.Logits!, v => Assert.True(Math.Abs(v) < 3));
        for (int i = 0; i < r.Logits!.Length; i++) Assert.Equal(3 * Math.Tanh(r.PreSoftcapLogits![i] / 3.0), r.Logits[i], 1e-5);
        // Attention: scaled scores reach well into the tanh's curved part (|s| > cap/2 = 2.5).
        var scores = Enumerable.Range(0, Config.Layers).SelectMany(l => trace.Get($"blocks.{l}.attn.hook_attn_scores").Data).Where(float.IsFinite);
        Assert.Contains(scores, s => Math.Abs(s) > 2.5);
    }

    [Fact]
    public void Forward_WithoutSoftCaps_MatchesReference()
    {
        var c = Config with { AttnSoftcap = null, FinalSoftcap = null };
        var w = SyntheticGemma2.Create(c, seed: 13);
        int[] tokens = TestRandom.Tokens(new Random(14), 9, c.Vocab);
        using var model = SyntheticModels.Gemma2(c, w);
        Assert.Null(model.Spec.AttentionLogitSoftcap);
        var r = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { KeepPreSoftcapLogits = true });
        Assert.Null(r.PreSoftcapLogits);
        NumericAssert.Close(ReferenceGemma2.Forward(w, c, tokens).Logits, r.Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_Bf16Checkpoint_RoundsNormalizerAndMatchesReference()
    {
        var w = SyntheticGemma2.Create(Config, seed: 15, bf16: true);
        int[] tokens = TestRandom.Tokens(new Random(16), 11, Config.Vocab);
        using var model = SyntheticModels.Gemma2(Config, w, DType.BF16);
        Assert.Equal(DType.BF16, model.Weights.TokenEmbedding.DType);
        Assert.Equal(DType.BF16, model.Weights.Blocks[0].Mlp.In.StorageType);
        Assert.Equal(6.3125f, model.Spec.EmbeddingScale); // bf16(sqrt(40) = 6.3246)
        var r = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { KeepPreSoftcapLogits = true });
        var reference = ReferenceGemma2.Forward(w, Config, tokens, DType.BF16);
        NumericAssert.Close(reference.Logits, r.Logits, 1e-4, "logits");
        NumericAssert.Close(reference.PreSoftcapLogits, r.PreSoftcapLogits, 1e-4, "pre-softcap logits");
    }

    [Fact]
    public void Forward_GroupedQueryAttention_EqualsRepeatedKvHeads()
    {
        // GQA with n_rep = 2 equals multi-head attention whose k/v heads are the kv heads repeated (HF repeat_kv).
        var w = SyntheticGemma2.Create(Config, seed: 17);
        var mha = Config with { KvHeads = Config.Heads };
        var wm = new CheckpointTensors();
        foreach (var (name, (data, shape)) in w.Tensors) wm.Add(name, data, shape);
        int dh = Config.HeadDim, d = Config.DModel;
        for (int l = 0; l < Config.Layers; l++)
            foreach (var proj in new[] { "k_proj", "v_proj" })
            {
                string name = $"model.layers.{l}.self_attn.{proj}.weight";
                var src = w[name];
                var dst = new float[Config.Heads * dh * d];
                for (int h = 0; h < Config.Heads; h++) Array.Copy(src, h / 2 * dh * d, dst, h * dh * d, dh * d);
                wm.Add(name, dst, Config.Heads * dh, d);
            }
        int[] tokens = TestRandom.Tokens(new Random(18), 10, Config.Vocab);
        using var gqa = SyntheticModels.Gemma2(Config, w);
        using var full = SyntheticModels.Gemma2(mha, wm);
        NumericAssert.Close(gqa.Forward(TokenBatch.Single(tokens)).Logits, full.Forward(TokenBatch.Single(tokens)).Logits, 1e-5, "logits");
    }

    [Fact]
    public void Forward_PaddedBatch_EqualsSeparateRuns()
    {
        var w = SyntheticGemma2.Create(Config, seed: 19);
        var rng = new Random(20);
        int[][] seqs = [TestRandom.Tokens(rng, 11, Config.Vocab), TestRandom.Tokens(rng, 5, Config.Vocab)];
        using var model = SyntheticModels.Gemma2(Config, w);
        var batched = model.Forward(new TokenBatch(seqs));
        int T = 11, V = Config.Vocab;
        for (int b = 0; b < seqs.Length; b++)
        {
            var single = model.Forward(TokenBatch.Single(seqs[b]));
            for (int t = 0; t < seqs[b].Length; t++)
                NumericAssert.Close(single.Logits.AsSpan(t * V, V), batched.Logits.AsSpan((b * T + t) * V, V), 1e-5, $"seq {b} pos {t}");
        }
    }

    [Fact]
    public void Load_KeysWithoutModelPrefix_GiveSameLogits()
    {
        var w = SyntheticGemma2.Create(Config, seed: 21);
        var bare = new CheckpointTensors();
        foreach (var (name, (data, shape)) in w.Tensors) bare.Add(name["model.".Length..], data, shape);
        int[] tokens = [2, 5, 9, 100, 7];
        using var a = SyntheticModels.Gemma2(Config, w);
        using var b = SyntheticModels.Gemma2(Config, bare);
        NumericAssert.Close(a.Forward(TokenBatch.Single(tokens)).Logits, b.Forward(TokenBatch.Single(tokens)).Logits, 0, "logits");
    }

    [Fact]
    public void Load_WrongShape_NamesTensorAndShapes()
    {
        var w = SyntheticGemma2.Create(Config, seed: 22);
        w.Add("model.layers.2.mlp.up_proj.weight", new float[60 * 40], 60, 40);
        var spec = SyntheticModels.ReadConfig(new Gemma2Architecture(), SyntheticGemma2.ConfigJson(Config, DType.F32));
        var ex = Assert.Throws<InvalidModelFileException>(() => Gemma2WeightMap.Load(w.ToSource(), spec));
        Assert.Contains("model.layers.2.mlp.up_proj.weight", ex.Message);
        Assert.Contains("[60, 40]", ex.Message);
        Assert.Contains("[64, 40]", ex.Message);
    }

    [Fact]
    public void ReadConfig_Gemma2_2B_GivesPublishedSpec()
    {
        // google/gemma-2-2b config.json (reference.md §1.2).
        const string json = """
        {"architectures": ["Gemma2ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "attn_logit_softcapping": 50.0,
         "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": 1, "final_logit_softcapping": 30.0, "head_dim": 256,
         "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 2304, "initializer_range": 0.02,
         "intermediate_size": 9216, "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 8,
         "num_hidden_layers": 26, "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-06,
         "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "float32", "transformers_version": "4.42.4", "vocab_size": 256000}
        """;
        var spec = new Gemma2Architecture().ReadConfig(JsonConfig.Parse(json, "config.json"));
        Assert.Equal((26, 2304, 8, 4, 256, 9216, 256000), (spec.Layers, spec.DModel, spec.Heads, spec.KvHeads, spec.HeadDim, spec.DMlp, spec.Vocab));
        Assert.Equal(1f / 16, spec.AttentionScale);
        Assert.Equal((50f, 30f, 4096), (spec.AttentionLogitSoftcap, spec.FinalLogitSoftcap, spec.SlidingWindow));
        Assert.Equal(Enumerable.Range(0, 26).Select(l => l % 2 == 0), spec.SlidingWindowLayers!);
        Assert.Equal((1e-6f, 1f), (spec.NormEps, spec.NormGainOffset));
        Assert.True(spec.PostAttentionNorm && spec.PostMlpNorm && spec.TiedEmbeddings);
        Assert.Equal(new RopeSpec(10000.0, 256), spec.Rope);
        Assert.Equal((MlpKind.Gated, ActivationKind.GeluTanh), (spec.Mlp, spec.Activation));
        foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F16 }) Assert.Equal(48f, Gemma2Architecture.EmbeddingNormalizer(2304, dtype));
        Assert.Equal(1 + 26 * 11 + 1, Gemma2WeightMap.ExpectedTensors(spec).Count());
        Assert.Contains(("model.layers.25.self_attn.q_proj.weight", new[] { 2048, 2304 }), Gemma2WeightMap.ExpectedTensors(spec).Select(t => (t.Name, t.Shape)), new TensorComparer());
    }

    sealed class TensorComparer : IEqualityComparer<(string, int[])>
    {
        public bool Equals((string, int[]) a, (string, int[]) b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2);
        public int GetHashCode((string, int[]) t) => t.Item1.GetHashCode();
    }

    [Fact]
    public void ReadConfig_AbsentKeysTakeHfDefaults_NullDisables()
    {
        var json = SyntheticGemma2.ConfigJson(Config, DType.F32);
        foreach (var key in new[] { "attn_logit_softcapping", "final_logit_softcapping", "sliding_window", "query_pre_attn_scalar", "head_dim" }) json.Remove(key);
        var spec = SyntheticModels.ReadConfig(new Gemma2Architecture(), json);
        Assert.Equal((50f, 30f, 4096, 256), (spec.AttentionLogitSoftcap, spec.FinalLogitSoftcap, spec.SlidingWindow, spec.HeadDim));
        Assert.Equal(1f / 16, spec.AttentionScale);
        json["attn_logit_softcapping"] = null; json["final_logit_softcapping"] = null; json["sliding_window"] = null;
        spec = SyntheticModels.ReadConfig(new Gemma2Architecture(), json);
        Assert.Equal((null, null, null), (spec.AttentionLogitSoftcap, spec.FinalLogitSoftcap, spec.SlidingWindow));
        Assert.False(spec.UsesSlidingWindow(0));
    }

    [Theory]
    [InlineData("hidden_activation", "relu", "hidden_activation 'relu' is not supported")]
    [InlineData("layer_types", "bad", "layer_types")]
    [InlineData("rope_scaling", "llama3", "'llama3' is not supported")]
    [InlineData("attn_logit_softcapping", "-1", "attn_logit_softcapping")]
    public void ReadConfig_BadValue_IsOneLineNamingTheKey(string key, string value, string expected)
    {
        var json = SyntheticGemma2.ConfigJson(Config, DType.F32);
        json[key] = key switch
        {
            "layer_types" => new[] { "sliding_attention", "full_attention" },
            "rope_scaling" => new Dictionary<string, object> { ["rope_type"] = value, ["factor"] = 8.0 },
            "attn_logit_softcapping" => -1.0,
            _ => value,
        };
        var ex = Assert.Throws<InvalidModelFileException>(() => SyntheticModels.ReadConfig(new Gemma2Architecture(), json));
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("config.json", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReadConfig_RopeParameters_Transformers5_GivesSameSpec()
    {
        var a = SyntheticModels.ReadConfig(new Gemma2Architecture(), SyntheticGemma2.ConfigJson(Config with { RopeTheta = 5000 }, DType.F32));
        var b = SyntheticModels.ReadConfig(new Gemma2Architecture(), SyntheticGemma2.ConfigJson(Config with { RopeParameters = true, RopeTheta = 5000 }, DType.F32));
        Assert.Equal(new RopeSpec(5000, Config.HeadDim), a.Rope);
        Assert.Equal(a.Rope, b.Rope);
    }
}
