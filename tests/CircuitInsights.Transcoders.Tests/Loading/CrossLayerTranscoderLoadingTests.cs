using CircuitInsights.Formats;
using CircuitInsights.Testing;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

/// <summary>circuit-tracer cross-layer transcoders (W_enc_{i}/W_dec_{i}.safetensors).</summary>
public class CrossLayerTranscoderLoadingTests
{
    const int D = 32, K = ReplacementCheck.Width, Layers = 3;

    static List<TranscoderLayerWeights> WriteClt(string dir, int seed, TranscoderLayerWeights.Options o, DType dtype = DType.F32)
    {
        var rng = new Random(seed);
        var layers = Enumerable.Range(0, Layers).Select(i => TranscoderLayerWeights.Random(rng, i, D, K, o with { Outputs = Layers - i })).ToList();
        CircuitTracerFileWriter.WriteCrossLayer(dir, layers, dtype);
        return layers;
    }

    [Fact]
    public void Load_CrossLayerWithThresholdsAndSkip_MatchesReference()
    {
        using var tmp = new TempDir();
        var layers = WriteClt(tmp.Path, 48, new() { Threshold = true, Skip = true, EncoderBias = -0.2f });
        CircuitTracerFileWriter.WriteConfig(tmp.Path, "hook_resid_mid", "hook_mlp_out", kind: "cross_layer_transcoder");
        using var set = TranscoderLoaders.Load(tmp.Path);
        var info = set.Info;
        Assert.True(info.CrossLayer);
        Assert.True(info.Skip);
        Assert.Equal("jumprelu", info.Activation);
        Assert.Equal(1 + 2 * Layers, info.SourceFiles.Count); // config + encoder and decoder file per layer
        Assert.Equal(Layers - 1, set[1].OutputLayerCount);
        ReplacementCheck.Verify(set, layers.ToDictionary(w => w.Layer), "hook_resid_mid", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_CrossLayerBf16WithoutConfig_UsesLoadCltDefaultHooks()
    {
        using var tmp = new TempDir();
        var layers = WriteClt(tmp.Path, 49, new() { Bf16 = true }, DType.BF16);
        using var set = TranscoderLoaders.Load(tmp.Path);
        Assert.True(set.Info.CrossLayer);
        Assert.Equal("BF16", set.Info.WeightDType);
        Assert.Contains(set.Info.Notes, n => n.Contains("load_clt defaults", StringComparison.Ordinal));
        ReplacementCheck.Verify(set, layers.ToDictionary(w => w.Layer), "hook_resid_mid", "hook_mlp_out", "relu");
    }

    [Fact]
    public void Load_CrossLayerSubsetOfLayers_KeepsWritersOfLoadedLayers()
    {
        using var tmp = new TempDir();
        var layers = WriteClt(tmp.Path, 50, new() { Skip = true });
        using var set = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { Layers = new HashSet<int> { 0, 2 } });
        Assert.Equal([0, 2], set.Info.Layers);
        Assert.Equal([0, 2], set.WritersTo(2).Select(t => t.Layer).ToArray());
        ReplacementCheck.Verify(set, layers.ToDictionary(w => w.Layer), "hook_resid_mid", "hook_mlp_out", "relu");
    }

    [Fact]
    public void Load_CrossLayerSkipIsNotTransposed()
    {
        // circuit-tracer applies the CLT skip as x @ W_skip_i (per-layer: x @ W_skip.T); an asymmetric W_skip tells them apart.
        using var tmp = new TempDir();
        var layers = WriteClt(tmp.Path, 51, new() { Skip = true });
        using var set = TranscoderLoaders.Load(tmp.Path);
        var x = new float[D];
        x[3] = 1;
        var got = new float[D];
        set[0].AddSkip(x, got);
        for (int o = 0; o < D; o++) Assert.Equal(layers[0].Skip![3 * D + o], got[o], 5);
    }

    public static TheoryData<string, string[]> BadCrossLayer => new()
    {
        { "dec_shape", ["W_dec_1", "[48, 2, 32]"] },
        { "missing_dec", ["W_dec_2.safetensors", "missing decoder file"] },
        { "gap", ["numbered 0..1", "0, 2"] },
        { "skip_partial", ["layer 1", "no skip connection"] },
        { "no_b_dec", ["missing tensor 'b_dec_0'"] },
        { "int_enc", ["W_enc_0", "I32"] },
    };

    [Theory]
    [MemberData(nameof(BadCrossLayer))]
    public void Load_MalformedCrossLayer_FailsWithOneLine(string variant, string[] fragments)
    {
        using var tmp = new TempDir();
        var layers = WriteClt(tmp.Path, 52, new() { Skip = true });
        switch (variant)
        {
            case "dec_shape":
                new SafeTensorsWriter().Add("W_dec_1", new float[K * D * 2], [K, D, 2]).Write(tmp["W_dec_1.safetensors"]);
                break;
            case "missing_dec": File.Delete(tmp["W_dec_2.safetensors"]); break;
            case "gap": File.Delete(tmp["W_enc_1.safetensors"]); break;
            case "skip_partial":
            case "no_b_dec":
            case "int_enc":
            {
                int i = variant == "skip_partial" ? 1 : 0;
                var w = layers[i];
                var s = new SafeTensorsWriter();
                if (variant == "int_enc") s.Add($"W_enc_{i}", new int[K * D], [K, D]);
                else s.Add($"W_enc_{i}", TranscoderLayerWeights.Transpose(w.Encoder, D, K), [K, D]);
                s.Add($"b_enc_{i}", w.EncoderBias, [K]);
                if (variant != "no_b_dec") s.Add($"b_dec_{i}", w.DecoderBias!, [D]);
                if (variant != "skip_partial") s.Add($"W_skip_{i}", w.Skip!, [D, D]);
                s.Write(tmp[$"W_enc_{i}.safetensors"]);
                break;
            }
        }
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), fragments);
    }
}
