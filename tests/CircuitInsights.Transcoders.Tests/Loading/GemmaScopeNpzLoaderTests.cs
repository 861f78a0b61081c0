using CircuitInsights.Formats;
using CircuitInsights.Testing;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

public class GemmaScopeNpzLoaderTests
{
    const int D = 32, K = ReplacementCheck.Width;
    static readonly TranscoderLayerWeights.Options Opts = new() { Threshold = true, EncoderBias = -0.2f };

    /// <summary>Tree with L0 variants 5 and 20 for every layer, plus 50 for layer 1; returns weights by (layer, l0).</summary>
    static Dictionary<(int, int), TranscoderLayerWeights> WriteTree(string root, int seed)
    {
        var rng = new Random(seed);
        var result = new Dictionary<(int, int), TranscoderLayerWeights>();
        foreach (int layer in new[] { 0, 1, 2 })
            foreach (int l0 in layer == 1 ? new[] { 5, 20, 50 } : [5, 20])
            {
                var w = TranscoderLayerWeights.Random(rng, layer, D, K, Opts);
                GemmaScopeFileWriter.WriteInTree(root, w, l0);
                result[(layer, l0)] = w;
            }
        return result;
    }

    [Fact]
    public void Load_TreeWithSecondLowestL0_MatchesReferenceAtLn2Normalized()
    {
        using var tmp = new TempDir();
        var all = WriteTree(tmp.Path, 21);
        using var set = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "second-lowest" });
        var info = set.Info;
        Assert.Equal("gemma-scope-npz", info.Format);
        Assert.Equal("jumprelu", info.Activation);
        Assert.True(info.HasThresholds);
        Assert.True(info.OutputBias);
        Assert.False(info.InputCentering || info.OutputMeanCentered || info.Skip);
        Assert.All(info.Files.Values, f => Assert.Contains($"average_l0_20{Path.DirectorySeparatorChar}", f));
        var chosen = new[] { 0, 1, 2 }.ToDictionary(l => l, l => all[(l, 20)]);
        ReplacementCheck.Verify(set, chosen, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_TreeWithExplicitL0List_LoadsOnlyListedLayers()
    {
        using var tmp = new TempDir();
        var all = WriteTree(tmp.Path, 22);
        using var set = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "0:5,1:50" });
        Assert.Equal([0, 1], set.Info.Layers);
        Assert.Contains("average_l0_50", set.Info.Files[1]);
        ReplacementCheck.Verify(set, new Dictionary<int, TranscoderLayerWeights> { [0] = all[(0, 5)], [1] = all[(1, 50)] }, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");

        using var highest = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "highest", Layers = new HashSet<int> { 1 } });
        Assert.Contains("average_l0_50", highest.Info.Files[1]);
        using var closest = TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "closest:12" });
        Assert.Contains("average_l0_5", closest.Info.Files[0]);
        Assert.Contains("average_l0_5", closest.Info.Files[1]); // tie 5 vs 20 (distance 7 vs 8) → 5
    }

    [Fact]
    public void Load_TreeWithoutSelection_ListsTheVariants()
    {
        using var tmp = new TempDir();
        WriteTree(tmp.Path, 23);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path), "layer 0 has 2 L0 variants (5, 20)", "--l0");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "7" }), "matches none", "5, 20");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "second-lowest", Width = "65k" }), "no width_65k");
        Assert.Throws<CircuitInsightsException>(() => TranscoderLoaders.Load(tmp.Path, new TranscoderLoadOptions { L0 = "0:5,0:20" }));
    }

    [Fact]
    public void Load_LayerFolder_UsesItsOnlyVariant()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(24), 2, D, K, Opts);
        GemmaScopeFileWriter.WriteInTree(tmp.Path, w, 41);
        using var set = TranscoderLoaders.Load(tmp["layer_2"]);
        Assert.Equal([2], set.Info.Layers);
        ReplacementCheck.Verify(set, new Dictionary<int, TranscoderLayerWeights> { [2] = w }, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_SingleFile_LayerFromPathOrOption()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(25), 1, D, K, Opts);
        string inTree = GemmaScopeFileWriter.WriteInTree(tmp.Path, w, 9);
        using (var set = TranscoderLoaders.Load(inTree)) Assert.Equal([1], set.Info.Layers);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(inTree, new TranscoderLoadOptions { Layer = 0 }), "says layer 1", "layer 0 was requested");

        string bare = tmp["params.npz"];
        GemmaScopeFileWriter.Write(bare, w, compressed: true); // np.savez_compressed variant
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(bare), "cannot tell which layer", "--layer");
        using var set2 = TranscoderLoaders.Load(bare, new TranscoderLoadOptions { Layer = 1 });
        ReplacementCheck.Verify(set2, new Dictionary<int, TranscoderLayerWeights> { [1] = w }, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_ThresholdIsStrict()
    {
        // A pre-activation exactly at θ stays off (JumpReLU is pre > θ): b_enc = θ and x = 0 ⇒ pre = θ.
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(26), 0, D, K, Opts);
        var tight = new TranscoderLayerWeights
        {
            Layer = 0, DModel = D, Width = K, Encoder = w.Encoder, EncoderBias = w.Threshold!.ToArray(), Decoders = w.Decoders,
            DecoderBias = w.DecoderBias, Threshold = w.Threshold,
        };
        string path = tmp["layer_0/params.npz"];
        GemmaScopeFileWriter.Write(path, tight);
        using var set = TranscoderLoaders.Load(path);
        var pre = new float[K];
        set[0].PreActivations(new float[D], 1, pre);
        set[0].Activate(pre);
        Assert.All(pre, v => Assert.Equal(0f, v));
    }

    public static TheoryData<string, string[]> Malformed => new()
    {
        { "no_threshold", ["missing tensor 'threshold'"] },
        { "f64_W_enc", ["W_enc", "F64", "expected F32"] },
        { "W_dec_wrong", ["W_dec", $"[{D}, {K}]"] },
        { "short_b_dec", ["b_dec", $"expected [{D}]"] },
        { "matrix_threshold", ["threshold", "expected [48]"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Load_MalformedFile_FailsWithOneLine(string variant, string[] fragments)
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(27), 0, D, K, Opts);
        string path = tmp["layer_0/params.npz"];
        GemmaScopeFileWriter.Write(path, w, edit: tensors => variant switch
        {
            "no_threshold" => tensors.Where(t => t.Name != "threshold"),
            "f64_W_enc" => tensors.Select(t => t.Name == "W_enc" ? TensorData.FromRaw("W_enc", DType.F64, [D, K], new byte[D * K * 8]) : t),
            "W_dec_wrong" => tensors.Select(t => t.Name == "W_dec" ? TensorData.FromF32("W_dec", [D, K], w.Decoders[0]) : t),
            "short_b_dec" => tensors.Select(t => t.Name == "b_dec" ? TensorData.FromF32("b_dec", [D - 1], new float[D - 1]) : t),
            "matrix_threshold" => tensors.Select(t => t.Name == "threshold" ? TensorData.FromF32("threshold", [2, K / 2], w.Threshold!) : t),
            _ => tensors,
        });
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), fragments.Prepend(path).ToArray());
    }

    [Fact]
    public void Load_TruncatedNpz_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        var w = TranscoderLayerWeights.Random(new Random(28), 0, D, K, Opts);
        string path = tmp["layer_0/params.npz"];
        GemmaScopeFileWriter.Write(path, w);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(path), path);
    }
}
