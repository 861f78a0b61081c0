using System.Security.Cryptography;
using System.Text;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders.Catalog;
using CircuitInsights.Transcoders.Loading;
using CircuitInsights.Transcoders.Tests.Loading;

namespace CircuitInsights.Transcoders.Tests.Catalog;

public class TranscoderCatalogTests
{
    const int D = 32, K = ReplacementCheck.Width;

    /// <summary>Creates <c>models--org--name/refs/{revision}</c> → <c>snapshots/{hash}/</c> in a hub cache and returns the snapshot folder.</summary>
    static string Snapshot(string cache, string repo, string revision = "main")
    {
        string entry = Path.Combine(cache, "models--" + repo.Replace("/", "--"));
        string hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(repo + "@" + revision)));
        Directory.CreateDirectory(Path.Combine(entry, "refs"));
        File.WriteAllText(Path.Combine(entry, "refs", revision), hash);
        string snap = Path.Combine(entry, "snapshots", hash);
        Directory.CreateDirectory(snap);
        return snap;
    }

    [Fact]
    public void Default_ListsThePaperSetsWithTheirHooks()
    {
        var cat = TranscoderCatalog.Default;
        Assert.True(cat.Entries.Count >= 5);
        var gpt2 = cat.Get("pchlenski/gpt2-transcoders");
        Assert.Equal("pchlenski-pt", gpt2.Format);
        Assert.Equal("ln2.hook_normalized_pre_affine", gpt2.InputHook);
        Assert.Equal(12, gpt2.LayerFiles().Count);
        Assert.Equal("final_sparse_autoencoder_gpt2-small_blocks.11.ln2.hook_normalized_24576.pt", gpt2.LayerFiles()[11]);
        Assert.True(gpt2.OutputMeanCentered);

        var gemma = cat.Get("gemma");
        Assert.Equal("google/gemma-scope-2b-pt-transcoders", gemma.Repo);
        var files = gemma.LayerFiles();
        Assert.Equal(26, files.Count);
        int[] l0 = [76, 65, 49, 54, 88, 87, 95, 70, 52, 72, 88, 5, 6, 8, 8, 8, 10, 12, 13, 12, 11, 13, 15, 25, 37, 41];
        for (int l = 0; l < 26; l++) Assert.Equal($"layer_{l}/width_16k/average_l0_{l0[l]}/params.npz", files[l]);
        Assert.Equal(("ln2.hook_normalized", "hook_mlp_out"), (gemma.InputHook, gemma.OutputHook));

        var skip = cat.Get("llama-relu");
        Assert.Equal("new-training", skip.Revision);
        Assert.Equal(("hook_resid_mid", "mlp.hook_out"), (skip.InputHook, skip.OutputHook));
        Assert.True(skip.Skip);
        Assert.Equal("mntss/skip-transcoder-Llama-3.2-1B-131k-nobos@new-training", skip.Name);
        Assert.NotNull(cat.Find("mntss/gemma-scope-transcoders"));
        Assert.NotNull(cat.Find("mntss/transcoder-Llama-3.2-1B"));
        Assert.All(cat.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Verified)));
    }

    [Fact]
    public void Get_UnknownName_ListsKnownSets()
    {
        BadInput.AssertOneLine(() => TranscoderCatalog.Default.Get("no-such-set"), "not a known transcoder set", "pchlenski/gpt2-transcoders");
    }

    [Fact]
    public void Load_NotInCache_SaysWhatWasSearched()
    {
        using var tmp = new TempDir();
        BadInput.AssertOneLine(() => TranscoderCatalog.Default.Load("gpt2", new TranscoderLoadOptions { HubCaches = [tmp.Path] }), "not in the local Hugging Face cache", "pchlenski/gpt2-transcoders");
    }

    [Fact]
    public void Load_Gpt2FromCache_ReadsTheNamedFiles()
    {
        using var tmp = new TempDir();
        string snap = Snapshot(tmp.Path, "pchlenski/gpt2-transcoders");
        var rng = new Random(71);
        var weights = new Dictionary<int, TranscoderLayerWeights>();
        foreach (int l in new[] { 0, 1 })
        {
            weights[l] = TranscoderLayerWeights.Random(rng, l, D, K, new() { InputCentering = true });
            PchlenskiFileWriter.Write(Path.Combine(snap, $"final_sparse_autoencoder_gpt2-small_blocks.{l}.ln2.hook_normalized_24576.pt"), weights[l]);
        }
        var options = new TranscoderLoadOptions { HubCaches = [tmp.Path], Layers = new HashSet<int> { 0, 1 } };
        using var set = TranscoderCatalog.Default.Load("gpt2", options);
        Assert.Equal("pchlenski/gpt2-transcoders", set.Info.CatalogName);
        Assert.Contains("pchlenski/gpt2-transcoders", set.Info.Source);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized_pre_affine", "hook_mlp_out", "relu");

        // Without a layer filter all 12 files are required.
        BadInput.AssertOneLine(() => TranscoderCatalog.Default.Load("gpt2", options with { Layers = null }), "10 file(s) not in the cached snapshot", "blocks.2.");
    }

    [Fact]
    public void Load_GemmaScopeFromCache_TakesThePaperL0PerLayer()
    {
        using var tmp = new TempDir();
        string snap = Snapshot(tmp.Path, "google/gemma-scope-2b-pt-transcoders");
        var rng = new Random(72);
        var weights = new Dictionary<int, TranscoderLayerWeights>();
        foreach (var (l, l0) in new[] { (0, 76), (1, 65), (2, 49) })
        {
            weights[l] = TranscoderLayerWeights.Random(rng, l, D, K, new() { Threshold = true, EncoderBias = -0.2f });
            GemmaScopeFileWriter.WriteInTree(snap, weights[l], l0);
            // A decoy variant that must not be picked.
            GemmaScopeFileWriter.WriteInTree(snap, TranscoderLayerWeights.Random(rng, l, D, K, new() { Threshold = true }), l0 + 1);
        }
        using var set = TranscoderCatalog.Default.Load("gemma", new TranscoderLoadOptions { HubCaches = [tmp.Path], Layers = new HashSet<int> { 0, 1, 2 } });
        Assert.Equal("gemma-scope-npz", set.Info.Format);
        Assert.Contains("average_l0_49", set.Info.Files[2]);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");
    }

    [Fact]
    public void Load_CircuitTracerConfigWithHfUris_ResolvesThemInTheSameCache()
    {
        using var tmp = new TempDir();
        string google = Snapshot(tmp.Path, "google/gemma-scope-2b-pt-transcoders");
        string mntss = Snapshot(tmp.Path, "mntss/gemma-scope-transcoders");
        var rng = new Random(73);
        var weights = new Dictionary<int, TranscoderLayerWeights>();
        var uris = new List<string>();
        foreach (var (l, l0) in new[] { (0, 76), (1, 65), (2, 49) })
        {
            weights[l] = TranscoderLayerWeights.Random(rng, l, D, K, new() { Threshold = true, EncoderBias = -0.2f });
            GemmaScopeFileWriter.WriteInTree(google, weights[l], l0);
            uris.Add($"hf://google/gemma-scope-2b-pt-transcoders/layer_{l}/width_16k/average_l0_{l0}/params.npz");
        }
        CircuitTracerFileWriter.WriteConfig(mntss, "ln2.hook_normalized", "hook_mlp_out", transcoders: uris, modelName: "google/gemma-2-2b");
        using var set = TranscoderCatalog.Default.Load("mntss/gemma-scope-transcoders", new TranscoderLoadOptions { HubCaches = [tmp.Path] });
        Assert.Equal("circuit-tracer", set.Info.Format);
        Assert.Equal("google/gemma-2-2b", set.Info.ModelName);
        ReplacementCheck.Verify(set, weights, "ln2.hook_normalized", "hook_mlp_out", "jumprelu");

        // If the cached config disagrees with the catalogue about the hooks, loading stops.
        CircuitTracerFileWriter.WriteConfig(mntss, "mlp.hook_in", "hook_mlp_out", transcoders: uris);
        BadInput.AssertOneLine(() => TranscoderCatalog.Default.Load("mntss/gemma-scope-transcoders", new TranscoderLoadOptions { HubCaches = [tmp.Path] }),
            "input hook 'mlp.hook_in'", "catalogue: ln2.hook_normalized");
    }

    [Fact]
    public void Load_SkipTranscoderRevision_GetsItsHooksFromTheCatalogue()
    {
        using var tmp = new TempDir();
        string snap = Snapshot(tmp.Path, "mntss/skip-transcoder-Llama-3.2-1B-131k-nobos", "new-training");
        var rng = new Random(74);
        var weights = new Dictionary<int, TranscoderLayerWeights>();
        for (int l = 0; l < 3; l++)
        {
            weights[l] = TranscoderLayerWeights.Random(rng, l, D, K, new() { Skip = true });
            CircuitTracerFileWriter.WriteLayer(Path.Combine(snap, $"layer_{l}.safetensors"), weights[l]);
        }
        using var set = TranscoderCatalog.Default.Load("weightlens-llama", new TranscoderLoadOptions { HubCaches = [tmp.Path], Layers = new HashSet<int> { 0, 1, 2 } });
        Assert.True(set.Info.Skip);
        Assert.Equal("mntss/skip-transcoder-Llama-3.2-1B-131k-nobos@new-training", set.Info.CatalogName);
        ReplacementCheck.Verify(set, weights, "hook_resid_mid", "mlp.hook_out", "relu");
    }

    [Fact]
    public void Parse_InvalidEntries_FailWithOneLine()
    {
        const string head = "sets:\n  - name: a\n    repo: o/a\n";
        BadInput.AssertOneLine(() => TranscoderCatalog.Parse(head + "    format: nope\n", "c.yaml"), "unknown format 'nope'");
        BadInput.AssertOneLine(() => TranscoderCatalog.Parse(head + "    format: sparsify\n    files: \"x.{layer}\"\n", "c.yaml"), "positive 'layers'");
        BadInput.AssertOneLine(() => TranscoderCatalog.Parse(head + "    format: sparsify\n    input_hook: nope\n", "c.yaml"), "not a known block hook");
        BadInput.AssertOneLine(() => TranscoderCatalog.Parse(head + "    format: sparsify\n  - name: b\n    aliases: [A]\n    repo: o/b\n    format: sparsify\n", "c.yaml"), "reuses");
        BadInput.AssertOneLine(() => TranscoderCatalog.Parse("sets:\n  - repo: o/a\n    format: sparsify\n", "c.yaml"), "name");
    }
}
