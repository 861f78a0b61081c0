using CircuitInsights.Testing;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

public class SparsifyLoaderTests
{
    const int D = 32, K = ReplacementCheck.Width, TopK = 6;
    static readonly TranscoderLayerWeights.Options Opts = new() { Skip = true, EncoderBias = 0.1f };

    static Dictionary<int, TranscoderLayerWeights> WriteRoot(string root, int seed, TranscoderLayerWeights.Options? o = null, string prefix = "layers")
    {
        var rng = new Random(seed);
        var result = new Dictionary<int, TranscoderLayerWeights>();
        foreach (int l in new[] { 0, 1, 2 })
        {
            var w = TranscoderLayerWeights.Random(rng, l, D, K, o ?? Opts);
            SparsifyFileWriter.Write(Path.Combine(root, $"{prefix}.{l}.mlp"), w, TopK);
            result[l] = w;
        }
        return result;
    }

    [Fact]
    public void Load_RootOfHookpointFolders_MatchesReferenceAtMlpModuleHooks()
    {
        using var tmp = new TempDir();
        var weights = WriteRoot(tmp.Path, 31);
        using var set = TranscoderLoaders.Load(tmp.Path);
        var info = set.Info;
        Assert.Equal("sparsify", info.Format);
        Assert.Equal($"topk:{TopK}", info.Activation);
        Assert.Equal(TopK, info.TopK);
        Assert.True(info.Skip);
        Assert.True(info.OutputBias);
        Assert.False(info.InputCentering);
        Assert.Equal(6, info.SourceFiles.Count); // cfg.json + sae.safetensors per layer
        ReplacementCheck.Verify(set, weights, "mlp.hook_in", "mlp.hook_out", "topk", TopK);
    }

    [Fact]
    public void Load_GptStyleHookpointsWithoutSkip_MatchReference()
    {
        using var tmp = new TempDir();
        var weights = WriteRoot(tmp.Path, 32, new TranscoderLayerWeights.Options { EncoderBias = 0.1f }, prefix: "h");
        using var set = TranscoderLoaders.Load(tmp.Path);
        Assert.False(set.Info.Skip);
        ReplacementCheck.Verify(set, weights, "mlp.hook_in", "mlp.hook_out", "topk", TopK);
    }

    [Fact]
    public void Load_OneFolderOrItsFiles_LoadsThatLayer()
    {
        using var tmp = new TempDir();
        var weights = WriteRoot(tmp.Path, 33);
        foreach (var p in new[] { tmp["layers.1.mlp"], tmp["layers.1.mlp/cfg.json"], tmp["layers.1.mlp/sae.safetensors"] })
        {
            using var set = TranscoderLoaders.Load(p);
            Assert.Equal("sparsify", set.Info.Format);
            Assert.Equal([1], set.Info.Layers);
        }
        using var one = TranscoderLoaders.Load(tmp["layers.1.mlp"]);
        ReplacementCheck.Verify(one, new Dictionary<int, TranscoderLayerWeights> { [1] = weights[1] }, "mlp.hook_in", "mlp.hook_out", "topk", TopK);
    }

    [Fact]
    public void Load_MissingK_UsesSparsifyDefaultAndSaysSo()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(34), 0, D, K, Opts);
        SparsifyFileWriter.Write(tmp["layers.0.mlp"], w, TopK, editConfig: c => c.Remove("k"));
        using var set = TranscoderLoaders.Load(tmp["layers.0.mlp"]);
        Assert.Equal(SparsifyLoader.DefaultK, set.Info.TopK);
        Assert.Contains(set.Info.Notes, n => n.Contains("default k", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NonMlpHookpoint_NeedsExplicitHooks()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(35), 1, D, K, Opts);
        SparsifyFileWriter.Write(tmp["layers.1"], w, TopK);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["layers.1"]), "do not say", "--input-hook");
        using var set = TranscoderLoaders.Load(tmp["layers.1"], new TranscoderLoadOptions { InputHook = "hook_resid_mid", OutputHook = "blocks.{layer}.hook_mlp_out" });
        Assert.Equal("hook_resid_mid", set.Info.InputHook);
        Assert.Equal("hook_mlp_out", set.Info.OutputHook);
        ReplacementCheck.Verify(set, new Dictionary<int, TranscoderLayerWeights> { [1] = w }, "hook_resid_mid", "hook_mlp_out", "topk", TopK);
    }

    public static TheoryData<string, string[]> BadConfigs => new()
    {
        { "sae", ["transcode is false", "sparse autoencoder"] },
        { "groupmax", ["activation 'groupmax'"] },
        { "skip_flag_without_tensor", ["skip_connection: true", "no 'W_skip'"] },
        { "tensor_without_skip_flag", ["'W_skip'", "skip_connection: false"] },
        { "num_latents", ["num_latents 96"] },
        { "d_in", ["d_in is 64"] },
        { "k_too_big", ["k = 500"] },
        { "embed_skip", ["embed_skip"] },
        { "no_W_dec", ["missing tensor 'W_dec'"] },
        { "d_in_string", ["d_in", "integer"] },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Load_Inconsistent_FailsWithOneLine(string variant, string[] fragments)
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(36), 0, D, K, variant == "tensor_without_skip_flag" ? Opts : Opts with { Skip = variant != "skip_flag_without_tensor" });
        SparsifyFileWriter.Write(tmp["layers.0.mlp"], w, TopK, omitDecoder: variant == "no_W_dec", editConfig: c =>
        {
            switch (variant)
            {
                case "sae": c["transcode"] = false; break;
                case "groupmax": c["activation"] = "groupmax"; break;
                case "skip_flag_without_tensor": c["skip_connection"] = true; break;
                case "tensor_without_skip_flag": c["skip_connection"] = false; break;
                case "num_latents": c["num_latents"] = 96; break;
                case "d_in": c["d_in"] = 64; break;
                case "k_too_big": c["k"] = 500; break;
                case "embed_skip": c["embed_skip"] = true; break;
                case "d_in_string": c["d_in"] = "32"; break;
            }
        });
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["layers.0.mlp"]), fragments);
    }

    [Fact]
    public void Load_UnparsableFolderNameInRoot_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        WriteRoot(tmp.Path, 37);
        SparsifyFileWriter.Write(tmp["extra"], TranscoderLayerWeights.Random(new Random(1), 0, D, K, Opts), TopK);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "'extra'", "not a hookpoint");
    }

    [Fact]
    public void Load_CorruptJson_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        SparsifyFileWriter.Write(tmp["layers.0.mlp"], TranscoderLayerWeights.Random(new Random(1), 0, D, K, Opts), TopK);
        File.WriteAllText(tmp["layers.0.mlp/cfg.json"], "{\"d_in\": 32, \"transcode\": tr");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["layers.0.mlp"]), "cfg.json");
    }
}
