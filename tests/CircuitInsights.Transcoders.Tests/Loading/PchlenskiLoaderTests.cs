using CircuitInsights.Formats;
using CircuitInsights.Testing;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

public class PchlenskiLoaderTests
{
    const int D = 32, K = ReplacementCheck.Width;
    static readonly TranscoderLayerWeights.Options Opts = new() { InputCentering = true };

    static Dictionary<int, TranscoderLayerWeights> WriteFolder(string dir, int seed, params int[] layers)
    {
        var rng = new Random(seed);
        var result = new Dictionary<int, TranscoderLayerWeights>();
        foreach (int l in layers)
        {
            var w = TranscoderLayerWeights.Random(rng, l, D, K, Opts);
            PchlenskiFileWriter.Write(Path.Combine(dir, PchlenskiFileWriter.FileName(l, K)), w);
            result[l] = w;
        }
        return result;
    }

    [Fact]
    public void Load_Folder_MatchesReferenceAtPreAffineLayerNorm()
    {
        using var tmp = new TempDir();
        var weights = WriteFolder(tmp.Path, 11, 0, 1, 2);
        // The log-sparsity companions hold one bare tensor and must be ignored.
        var sparsity = new TorchCheckpointWriter("sparsity");
        File.WriteAllBytes(tmp[$"final_sparse_autoencoder_gpt2-small_blocks.0.ln2.hook_normalized_{K}_log_feature_sparsity.pt"],
            sparsity.Build(sparsity.Tensor(new float[K], [K])));

        using var set = TranscoderLoaders.Load(tmp.Path);
        var info = set.Info;
        Assert.Equal("pchlenski-pt", info.Format);
        Assert.Equal([0, 1, 2], info.Layers);
        Assert.Equal(K, info.Width);
        Assert.Equal("relu", info.Activation);
        Assert.True(info.InputCentering);
        Assert.True(info.OutputBias);
        Assert.True(info.OutputMeanCentered);
        Assert.False(info.Skip || info.CrossLayer || info.HasThresholds);
        Assert.Equal("gpt2-small", info.ModelName);
        Assert.Equal("F32", info.WeightDType);
        Assert.Equal(3, info.SourceFiles.Count);
        Assert.Contains(info.Notes, n => n.Contains("mean_d(mlp_out)", StringComparison.Ordinal));
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized_pre_affine", "hook_mlp_out", "relu");
    }

    [Fact]
    public void Load_SingleFile_TakesLayerFromFileName()
    {
        using var tmp = new TempDir();
        var weights = WriteFolder(tmp.Path, 12, 2);
        using var set = TranscoderLoaders.Load(tmp[PchlenskiFileWriter.FileName(2, K)]);
        Assert.Equal([2], set.Info.Layers);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized_pre_affine", "hook_mlp_out", "relu");
    }

    [Fact]
    public void Load_InputCentering_IsSubtractedNotAdded()
    {
        // b_dec must be subtracted from the input; a loader that dropped it or used it as output bias changes pre.
        using var tmp = new TempDir();
        var w = WriteFolder(tmp.Path, 13, 1)[1];
        using var set = TranscoderLoaders.Load(tmp.Path);
        var tc = set[1];
        Assert.Equal(w.InputCentering, tc.InputCentering);
        Assert.Equal(w.DecoderBias, tc.DecoderBias);
        var x = new float[D];
        var pre = new float[K];
        tc.PreActivations(x, 1, pre);
        for (int f = 0; f < K; f++)
        {
            double expected = w.EncoderBias[f];
            for (int i = 0; i < D; i++) expected -= w.InputCentering![i] * w.Encoder[i * K + f];
            Assert.Equal(expected, pre[f], 4);
        }
    }

    [Fact]
    public void Load_MaliciousReduceInCfg_IsRefusedWithOneLine()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(1), 0, D, K, Opts);
        string path = tmp[PchlenskiFileWriter.FileName(0, K)];
        PchlenskiFileWriter.Write(path, w, cfg: new PyReduce(new PyGlobal("posix", "system"), new PyTuple("echo pwned > /tmp/ci-pwned")));
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), path, "posix.system", "refusing");
        Assert.False(File.Exists("/tmp/ci-pwned"));
    }

    [Fact]
    public void Load_MaliciousGlobalInsideStateDict_IsRefused()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(2), 0, D, K, Opts);
        string path = tmp[PchlenskiFileWriter.FileName(0, K)];
        PchlenskiFileWriter.Write(path, w, editStateDict: (_, items) =>
        {
            items[2] = new("W_dec", new PyReduce(new PyGlobal("builtins", "eval"), new PyTuple("__import__('os')")));
            return items;
        });
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), "builtins.eval");
    }

    public static TheoryData<string, string[]> Malformed => new()
    {
        { "short_b_enc", ["state_dict.b_enc", "[47]", $"expected [{K}]"] },
        { "missing_W_dec", ["missing tensor 'state_dict.W_dec'"] },
        { "int_W_enc", ["state_dict.W_enc", "I64", "expected F32"] },
        { "transposed_W_dec", ["state_dict.W_dec", $"[{D}, {K}]"] },
        { "no_b_dec_out", ["b_dec_out", "not a transcoder"] },
        { "vector_W_enc", ["state_dict.W_enc", "expected a matrix"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Load_MalformedStateDict_FailsWithOneLine(string variant, string[] fragments)
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(3), 0, D, K, Opts);
        string path = tmp[PchlenskiFileWriter.FileName(0, K)];
        PchlenskiFileWriter.Write(path, w, editStateDict: (writer, items) =>
        {
            switch (variant)
            {
                case "short_b_enc": items[1] = new("b_enc", writer.Tensor(new float[K - 1], [K - 1])); break;
                case "missing_W_dec": items.RemoveAt(2); break;
                case "int_W_enc": items[0] = new("W_enc", writer.Tensor(new byte[D * K * 8], DType.I64, [D, K])); break;
                case "transposed_W_dec": items[2] = new("W_dec", writer.Tensor(w.Decoders[0], [D, K])); break;
                case "no_b_dec_out": items.RemoveAt(4); break;
                case "vector_W_enc": items[0] = new("W_enc", writer.Tensor(w.Encoder, [D * K])); break;
            }
            return items;
        });
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), fragments.Prepend(path).ToArray());
    }

    [Fact]
    public void Load_CfgContradictsTensors_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(4), 1, D, K, Opts);
        string path = tmp[PchlenskiFileWriter.FileName(1, K)];
        var fields = PchlenskiFileWriter.ConfigFields(1, D, K);
        fields["d_in"] = 768;
        PchlenskiFileWriter.Write(path, w, cfg: new PyNewObj(new PyGlobal("sae_training.config", "LanguageModelSAERunnerConfig"), new PyTuple(), fields));
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), "cfg.d_in = 768", $"{D}");

        fields = PchlenskiFileWriter.ConfigFields(2, D, K); // hook_point says layer 2, the name says layer 1
        PchlenskiFileWriter.Write(path, w, cfg: new PyNewObj(new PyGlobal("sae_training.config", "LanguageModelSAERunnerConfig"), new PyTuple(), fields));
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), "layer 2", "layer 1");

        fields = PchlenskiFileWriter.ConfigFields(1, D, K);
        fields["hook_point"] = "blocks.1.hook_resid_pre";
        PchlenskiFileWriter.Write(path, w, cfg: new PyNewObj(new PyGlobal("sae_training.config", "LanguageModelSAERunnerConfig"), new PyTuple(), fields));
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), "hook_resid_pre");
    }

    [Fact]
    public void Load_NotAZip_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        string path = tmp[PchlenskiFileWriter.FileName(0, K)];
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), path);
        File.WriteAllBytes(path, []);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), "empty");
    }

    [Fact]
    public void Load_TwoFilesForOneLayer_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        WriteFolder(tmp.Path, 5, 0);
        var w = TranscoderLayerWeights.Random(new Random(6), 0, D, K, Opts);
        PchlenskiFileWriter.Write(tmp["final_sparse_autoencoder_gpt2-small_blocks.0.ln2.hook_normalized_96.pt"], w);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "two files for layer 0");
    }
}
