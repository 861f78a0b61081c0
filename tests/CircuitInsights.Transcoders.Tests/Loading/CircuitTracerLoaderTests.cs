using CircuitInsights.Formats;
using CircuitInsights.Testing;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

public class CircuitTracerLoaderTests
{
    const int D = 32, K = ReplacementCheck.Width, Layers = 3;

    static Dictionary<int, TranscoderLayerWeights> WriteLayers(string dir, int seed, TranscoderLayerWeights.Options o, DType dtype = DType.F32,
        bool oldLayout = false, Func<int, string>? name = null)
    {
        var rng = new Random(seed);
        var result = new Dictionary<int, TranscoderLayerWeights>();
        for (int l = 0; l < Layers; l++)
        {
            var w = TranscoderLayerWeights.Random(rng, l, D, K, o);
            CircuitTracerFileWriter.WriteLayer(Path.Combine(dir, name?.Invoke(l) ?? $"layer_{l}.safetensors"), w, dtype, oldLayout);
            result[l] = w;
        }
        return result;
    }

    [Fact]
    public void Load_ConfigWithoutList_ReluSkip_MatchesReferenceAtResidMid()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp.Path, 41, new() { Skip = true });
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "blocks.{layer}.hook_resid_mid", "blocks.{{layer}}.mlp.hook_out");
        using var set = TranscoderLoaders.Load(tmp.Path);
        Assert.Equal("circuit-tracer", set.Info.Format);
        Assert.Equal("synthetic/gpt2", set.Info.ModelName);
        Assert.True(set.Info.Skip);
        Assert.Equal("relu", set.Info.Activation);
        Assert.Contains(Path.Combine(tmp.Path, "config.yaml"), set.Info.SourceFiles);
        ReplacementCheck.Verify(set, weights, "hook_resid_mid", "mlp.hook_out", "relu");
    }

    [Fact]
    public void Load_Bf16JumpReluWithExplicitList_MatchesReferenceAtMlpIn()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp.Path, 42, new() { Threshold = true, Bf16 = true, EncoderBias = -0.2f }, DType.BF16, name: l => $"tc/L{l}.safetensors");
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "mlp.hook_in", "hook_mlp_out", transcoders: [.. Enumerable.Range(0, Layers).Select(l => $"tc/L{l}.safetensors")]);
        using var set = TranscoderLoaders.Load(Path.Combine(tmp.Path, "config.yaml"));
        Assert.Equal("BF16", set.Info.WeightDType);
        Assert.True(set.Info.HasThresholds);
        Assert.Equal("jumprelu", set.Info.Activation);
        ReplacementCheck.Verify(set, weights, "mlp.hook_in", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_OldDecoderLayout_IsTransposedAndNoted()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp.Path, 43, new() { Skip = true }, oldLayout: true);
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "mlp.hook_out");
        using var set = TranscoderLoaders.Load(tmp.Path);
        Assert.Contains(set.Info.Notes, n => n.Contains("transposed", StringComparison.Ordinal));
        ReplacementCheck.Verify(set, weights, "hook_resid_mid", "mlp.hook_out", "relu");
    }

    [Fact]
    public void Load_TopKFromConfig_MatchesReference()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp.Path, 44, new() { EncoderBias = 0.1f });
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "ln2.hook_normalized", "hook_mlp_out", extraYaml: "activation: topk\nk: 5");
        using var set = TranscoderLoaders.Load(tmp.Path);
        Assert.Equal(5, set.Info.TopK);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized", "hook_mlp_out", "topk", 5);
    }

    [Fact]
    public void Load_GemmaScopeNpzEntries_AreReadLikeCircuitTracer()
    {
        using var tmp = new TempDir();
        var rng = new Random(45);
        var weights = new Dictionary<int, TranscoderLayerWeights>();
        var list = new List<string>();
        for (int l = 0; l < Layers; l++)
        {
            weights[l] = TranscoderLayerWeights.Random(rng, l, D, K, new() { Threshold = true, EncoderBias = -0.2f });
            GemmaScopeFileWriter.WriteInTree(tmp["google"], weights[l], 10 + l);
            list.Add($"google/{GemmaScopeFileWriter.RelativePath(l, 10 + l).Replace('\\', '/')}");
        }
        CircuitTracerFileWriter.WriteConfig(tmp["set"], "ln2.hook_normalized", "hook_mlp_out", transcoders: list.Select(p => "../" + p).ToList());
        using var set = TranscoderLoaders.Load(tmp["set"]);
        Assert.Equal("circuit-tracer", set.Info.Format);
        Assert.Equal("jumprelu", set.Info.Activation);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_Subfolder_IsHonoured()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp["plt"], 46, new());
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "mlp.hook_in", "mlp.hook_out", extraYaml: "subfolder: plt");
        using var set = TranscoderLoaders.Load(tmp.Path);
        ReplacementCheck.Verify(set, weights, "mlp.hook_in", "mlp.hook_out", "relu");
    }

    [Fact]
    public void Load_LayerFilesWithoutConfig_NeedHooks()
    {
        using var tmp = new TempDir();
        var weights = WriteLayers(tmp.Path, 47, new() { Skip = true });
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "do not say", "--input-hook");
        using var set = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { InputHook = "hook_resid_mid", OutputHook = "mlp.hook_out", Layers = new HashSet<int> { 1, 2 } });
        Assert.Equal([1, 2], set.Info.Layers);
        Assert.Contains(set.Info.Notes, n => n.Contains("given by the caller", StringComparison.Ordinal));
        ReplacementCheck.Verify(set, weights, "hook_resid_mid", "mlp.hook_out", "relu");
    }

    public static TheoryData<string, string[]> BadConfigs => new()
    {
        { "model_kind: \"sparse_autoencoder\"", ["model_kind 'sparse_autoencoder'"] },
        { "feature_input_hook: \"layers.{layer}.post_attention_layernorm\"", ["nnsight module path"] },
        { "feature_input_hook: \"blocks.{layer}.hook_nonsense\"", ["not a known block hook"] },
        { "subfolder: \"../elsewhere\"", ["subfolder", "relative path inside"] },
        { "transcoders:\n  - \"missing.safetensors\"", ["missing.safetensors", "not found"] },
        { "transcoders:\n  - \"hf://nobody/nothing/layer_0.safetensors\"", ["hf://nobody/nothing", "local Hugging Face cache"] },
        { "transcoders: 5", ["must be a list"] },
        { "activation: gelu", ["activation 'gelu'"] },
        { "activation: topk", ["positive 'k'"] },
        { "activation: jump_relu", ["no 'activation_function.threshold'"] },
        { "feature_input_hook: [1, 2]", ["feature_input_hook", "string"] },
        { "transcoders:\n  - 3", ["transcoders[0]", "number 3"] },
        { "model_kind: [unterminated", ["invalid YAML"] },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Load_BadConfig_FailsWithOneLine(string yamlLine, string[] fragments)
    {
        using var tmp = new TempDir();
        WriteLayers(tmp.Path, 53, new());
        // Later keys override earlier ones (PyYAML keeps the last), so the bad line replaces the writer's value.
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "mlp.hook_out", extraYaml: yamlLine);
        var options = new TranscoderLoadOptions { HubCaches = [tmp["empty-cache"]] };
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path, options), fragments);
    }

    [Fact]
    public void Load_MissingHookKey_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        WriteLayers(tmp.Path, 54, new());
        File.WriteAllText(tmp["config.yaml"], "model_kind: transcoder_set\nfeature_output_hook: hook_mlp_out\n");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "feature_input_hook");
    }

    public static TheoryData<string, string[]> BadLayerFiles => new()
    {
        { "w_dec_mismatch", ["W_dec", "[32, 32]"] },
        { "skip_shape", ["W_skip", "expected [32, 32]"] },
        { "log_thresholds", ["log_thresholds", "not supported"] },
        { "gemma_scope_2", ["Gemma Scope 2"] },
        { "u8_b_enc", ["b_enc", "U8"] },
        { "short_threshold", ["activation_function.threshold", "expected [48]"] },
    };

    [Theory]
    [MemberData(nameof(BadLayerFiles))]
    public void Load_MalformedLayerFile_FailsWithOneLine(string variant, string[] fragments)
    {
        using var tmp = new TempDir();
        WriteLayers(tmp.Path, 55, new());
        var w = TranscoderLayerWeights.Random(new Random(1), 1, D, K, new());
        var s = new SafeTensorsWriter();
        if (variant == "gemma_scope_2") s.Add("w_enc", w.Encoder, [D, K]);
        else s.Add("W_enc", TranscoderLayerWeights.Transpose(w.Encoder, D, K), [K, D]);
        if (variant == "w_dec_mismatch") s.Add("W_dec", new float[D * D], [D, D]);
        else s.Add("W_dec", w.Decoders[0], [K, D]);
        if (variant == "u8_b_enc") s.AddRaw("b_enc", DType.U8, new byte[K], [K]);
        else s.Add("b_enc", w.EncoderBias, [K]);
        s.Add("b_dec", w.DecoderBias!, [D]);
        if (variant == "skip_shape") s.Add("W_skip", new float[D * K], [D, K]);
        if (variant == "log_thresholds") s.Add("log_thresholds", new float[K], [K]);
        if (variant == "short_threshold") s.Add("activation_function.threshold", new float[K - 1], [K - 1]);
        s.Write(tmp["layer_1.safetensors"]);
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "mlp.hook_out");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), fragments.Prepend("layer_1.safetensors").ToArray());
    }

    [Fact]
    public void Load_TruncatedSafetensors_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        WriteLayers(tmp.Path, 56, new());
        var bytes = File.ReadAllBytes(tmp["layer_2.safetensors"]);
        File.WriteAllBytes(tmp["layer_2.safetensors"], bytes[..(bytes.Length - 100)]);
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "mlp.hook_out");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "layer_2.safetensors");
    }

    [Fact]
    public void Load_LayersOfDifferentWidth_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        WriteLayers(tmp.Path, 57, new());
        CircuitTracerFileWriter.WriteLayer(tmp["layer_2.safetensors"], TranscoderLayerWeights.Random(new Random(2), 2, D, K / 2, new()));
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "mlp.hook_out");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "layer 2 has 24 features", "48 features");
    }
}
