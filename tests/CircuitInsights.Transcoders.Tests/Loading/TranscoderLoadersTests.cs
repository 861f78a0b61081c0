using CircuitInsights.Testing;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Tests.Loading;

public class TranscoderLoadersTests
{
    const int D = 32, K = 16;

    [Fact]
    public void Formats_ListsEveryLoader()
    {
        Assert.Equal(["circuit-tracer", "sparsify", "gemma-scope-npz", "pchlenski-pt"], TranscoderLoaders.Formats);
    }

    /// <summary>Writes one layout of each kind and returns (path to load, expected format, options).</summary>
    static IEnumerable<(string Path, string Format, TranscoderLoadOptions Options)> Layouts(TempDir tmp)
    {
        var rng = new Random(61);
        TranscoderLayerWeights W(int layer, TranscoderLayerWeights.Options? o = null) => TranscoderLayerWeights.Random(rng, layer, D, K, o);
        var none = new TranscoderLoadOptions();

        PchlenskiFileWriter.Write(tmp[$"pch/{PchlenskiFileWriter.FileName(0, K)}"], W(0, new() { InputCentering = true }), null);
        PchlenskiFileWriter.Write(tmp[$"pch/{PchlenskiFileWriter.FileName(1, K)}"], W(1, new() { InputCentering = true }), null);
        yield return (tmp["pch"], "pchlenski-pt", none);
        yield return (tmp[$"pch/{PchlenskiFileWriter.FileName(1, K)}"], "pchlenski-pt", none);

        GemmaScopeFileWriter.WriteInTree(tmp["gs"], W(0, new() { Threshold = true }), 7);
        GemmaScopeFileWriter.WriteInTree(tmp["gs"], W(1, new() { Threshold = true }), 9);
        yield return (tmp["gs"], "gemma-scope-npz", none);
        yield return (tmp["gs/layer_1"], "gemma-scope-npz", none);
        yield return (tmp["gs/layer_1/width_16k/average_l0_9"], "gemma-scope-npz", none);
        yield return (tmp[$"gs/{GemmaScopeFileWriter.RelativePath(0, 7)}"], "gemma-scope-npz", none);

        SparsifyFileWriter.Write(tmp["sp/layers.0.mlp"], W(0), 3);
        SparsifyFileWriter.Write(tmp["sp/layers.1.mlp"], W(1), 3);
        yield return (tmp["sp"], "sparsify", none);
        yield return (tmp["sp/layers.1.mlp"], "sparsify", none);
        yield return (tmp["sp/layers.1.mlp/cfg.json"], "sparsify", none);

        CircuitTracerFileWriter.WriteLayer(tmp["ct/layer_0.safetensors"], W(0));
        CircuitTracerFileWriter.WriteConfig(tmp["ct"], "mlp.hook_in", "hook_mlp_out");
        yield return (tmp["ct"], "circuit-tracer", none);
        yield return (tmp["ct/config.yaml"], "circuit-tracer", none);

        CircuitTracerFileWriter.WriteLayer(tmp["ctbare/layer_0.safetensors"], W(0));
        yield return (tmp["ctbare"], "circuit-tracer", new TranscoderLoadOptions { InputHook = "hook_resid_mid", OutputHook = "mlp.hook_out" });

        CircuitTracerFileWriter.WriteCrossLayer(tmp["clt"], [W(0, new() { Outputs = 2 }), W(1)]);
        yield return (tmp["clt"], "circuit-tracer", none);
    }

    [Fact]
    public void Load_PicksTheRightLoaderForEachLayout()
    {
        using var tmp = new TempDir();
        int n = 0;
        foreach (var (path, format, options) in Layouts(tmp).ToList())
        {
            Assert.Equal(format, TranscoderLoaders.Detect(path)?.Format);
            using var set = TranscoderLoaders.Load(path, options);
            Assert.True(format == set.Info.Format, $"{path}: loaded as {set.Info.Format}, expected {format}");
            Assert.Equal(K, set.Width);
            n++;
        }
        Assert.Equal(13, n);
    }

    [Fact]
    public void Load_ForcedFormat_UsesThatLoader()
    {
        using var tmp = new TempDir();
        GemmaScopeFileWriter.Write(tmp["x/weird-name.bin"], TranscoderLayerWeights.Random(new Random(1), 0, D, K, new() { Threshold = true }));
        Assert.Null(TranscoderLoaders.Detect(tmp["x/weird-name.bin"]));
        using var set = TranscoderLoaders.Load(tmp["x/weird-name.bin"], new TranscoderLoadOptions { Layer = 4 }, "gemma-scope-npz");
        Assert.Equal([4], set.Info.Layers);
    }

    [Fact]
    public void Load_UnrecognisedOrMissing_FailsWithOneLine()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp["empty"]);
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["empty"]), "not a recognised transcoder set", "circuit-tracer");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["nope"]), "not found");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["empty"], null, "bogus"), "unknown transcoder format 'bogus'");
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["empty"], new TranscoderLoadOptions { InputHook = "hook_whatever" }, "circuit-tracer"));
    }

    [Fact]
    public void HookOverride_IsValidatedAndRecorded()
    {
        using var tmp = new TempDir();
        SparsifyFileWriter.Write(tmp["layers.0.mlp"], TranscoderLayerWeights.Random(new Random(2), 0, D, K), 3);
        using var set = TranscoderLoaders.Load(tmp["layers.0.mlp"], new TranscoderLoadOptions { InputHook = "blocks.{layer}.ln2.hook_normalized" });
        Assert.Equal("ln2.hook_normalized", set.Info.InputHook);
        Assert.Contains(set.Info.Notes, n => n.Contains("overridden", StringComparison.Ordinal) && n.Contains("mlp.hook_in", StringComparison.Ordinal));
        BadInput.AssertOneLine(() => TranscoderLoaders.Load(tmp["layers.0.mlp"], new TranscoderLoadOptions { InputHook = "hook_bogus" }), "hook_bogus", "not a known block hook");
    }
}
