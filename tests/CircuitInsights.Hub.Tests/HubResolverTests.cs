using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Testing.Hub;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Hub.Tests;

/// <summary>Loaders reach the hub only through the hook: ModelLoader/ModelDirectory for ids, TranscoderLoaders/HfUri for hf:// URIs.</summary>
public sealed class HubResolverTests
{
    static readonly SyntheticGpt2.Config Gpt2 = new(Layers: 1, DModel: 16, Heads: 2, DMlp: 32, Vocab: 50257, Positions: 16);

    /// <summary>A real GPT-2 directory served as hub repo org/tiny-gpt2 with weights in other formats the loader does not need.</summary>
    static MockHubServer ServeGpt2(TempDir work, out string localDir)
    {
        localDir = work.Sub("local");
        CheckpointDirectory.WriteGpt2(localDir, Gpt2, SyntheticGpt2.Create(Gpt2, seed: 5));
        var files = Directory.GetFiles(localDir).ToDictionary(f => Path.GetFileName(f), f => new MockFile(File.ReadAllBytes(f), lfs: f.EndsWith(".safetensors")));
        files["tf_model.h5"] = MockRepo.Lfs(MockRepo.RandomBytes(1000, seed: 1));
        files["flax_model.msgpack"] = MockRepo.Lfs(MockRepo.RandomBytes(1000, seed: 2));
        files["onnx/decoder_model.onnx"] = MockRepo.Lfs(MockRepo.RandomBytes(1000, seed: 3));
        files["README.md"] = MockRepo.Text("# tiny\n");
        var server = new MockHubServer();
        server.Add(new MockRepo("org/tiny-gpt2").Commit(Hubs.Commit1, files));
        return server;
    }

    [Fact]
    public void ModelLoader_HubId_DownloadsOnlyModelFiles_LoadsSameModel_SecondLoadIsOffline()
    {
        using var work = new TempDir();
        using var server = ServeGpt2(work, out string localDir);
        using var client = Hubs.Client(server, work.Sub("cache"));
        int[] tokens = [464, 3797, 3332];

        float[] expected, actual;
        using (var local = ModelLoader.Load(localDir)) expected = local.Decoder.Forward(TokenBatch.Single(tokens)).Logits!;
        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
        {
            using (var model = ModelLoader.Load("org/tiny-gpt2"))
            {
                Assert.Equal(("org/tiny-gpt2", Hubs.Commit1), (model.Directory.RepoId, model.Directory.Revision));
                Assert.StartsWith(work.Sub("cache", "models--org--tiny-gpt2", "snapshots"), model.Directory.Path);
                actual = model.Decoder.Forward(TokenBatch.Single(tokens)).Logits!;
            }
            int before = server.Requests.Count;
            using (ModelLoader.Load("org/tiny-gpt2")) { }
            Assert.Equal(before, server.Requests.Count);
        }

        Assert.Equal(expected, actual);
        var fetched = server.HubRequests.Where(r => r.Method == "HEAD").Select(r => r.Target.Split('/').Last()).ToList();
        Assert.Contains("model.safetensors", fetched);
        Assert.Contains("config.json", fetched);
        Assert.DoesNotContain(fetched, f => f.EndsWith(".h5") || f.EndsWith(".msgpack") || f.EndsWith(".onnx") || f == "README.md");
    }

    [Fact]
    public void ModelDirectory_CachedSnapshotWithoutWeights_IsCompletedThroughTheResolver()
    {
        using var work = new TempDir();
        using var server = ServeGpt2(work, out _);
        using var client = Hubs.Client(server, work.Sub("cache"));
        client.DownloadFile("org/tiny-gpt2", "config.json"); // e.g. an earlier `download --include config.json`

        Assert.Throws<InvalidModelFileException>(() => ModelDirectory.Resolve("org/tiny-gpt2", hubCaches: [work.Sub("cache")]).GetFile("model.safetensors"));
        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
        {
            var dir = ModelDirectory.Resolve("org/tiny-gpt2", hubCaches: [work.Sub("cache")]);
            Assert.True(ModelDirectory.HasModelFiles(dir.Path));
        }
    }

    [Fact]
    public void ModelDirectory_OfflineResolverAndNothingCached_SaysSo()
    {
        using var work = new TempDir();
        using var client = new HubClient(new HubClientOptions { Endpoint = "http://127.0.0.1:9", CacheDir = work.Path, Offline = true });
        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
            Hubs.Throws(HubErrorKind.Offline, () => ModelDirectory.Resolve("org/absent", hubCaches: [work.Path]), "HF_HUB_OFFLINE", "org/absent");
    }

    [Fact]
    public void ResolveModel_RepoWithoutConfig_IsNotAModel()
    {
        using var server = new MockHubServer();
        server.Add(new MockRepo("org/tc").Commit(Hubs.Commit1, new() { ["layer_0.safetensors"] = MockRepo.Lfs([1, 2, 3]) }));
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.NotFound, () => new HubResolver(client, searchRoots: []).ResolveModel("org/tc", null), "org/tc", "config.json");
    }

    static byte[] LayerFile(TempDir work, int layer, int d, int k, out float[] encoderBias)
    {
        var rng = new Random(100 + layer);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        encoderBias = R(k);
        string path = work.Sub($"layer_{layer}.safetensors");
        new SafeTensorsWriter().Add("W_enc", R(k * d), [k, d]).Add("W_dec", R(k * d), [k, d]).Add("b_enc", encoderBias, [k]).Add("b_dec", R(d), [d]).Write(path);
        return File.ReadAllBytes(path);
    }

    const string Hooks = "feature_input_hook: \"mlp.hook_in\"\nfeature_output_hook: \"hook_mlp_out\"\nmodel_kind: \"transcoder_set\"\n";

    [Fact]
    public void TranscoderLoaders_HfRepoUri_DownloadsTheSetAndLoadsIt()
    {
        using var work = new TempDir();
        using var server = new MockHubServer();
        var l0 = LayerFile(work, 0, d: 8, k: 12, out var bias0);
        var l1 = LayerFile(work, 1, d: 8, k: 12, out var bias1);
        server.Add(new MockRepo("org/tc").Commit(Hubs.Commit1, new()
        {
            ["config.yaml"] = MockRepo.Text(Hooks), ["layer_0.safetensors"] = MockRepo.Lfs(l0), ["layer_1.safetensors"] = MockRepo.Lfs(l1),
        }));
        using var client = Hubs.Client(server, work.Sub("cache"));

        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
        using (var set = TranscoderLoaders.Load("hf://org/tc"))
        {
            Assert.Equal([0, 1], set.Layers.Order());
            Assert.Equal(bias0, set[0].EncoderBias);
            Assert.Equal(bias1, set[1].EncoderBias);
        }
        Assert.Equal(2, server.CdnRequests.Count());
    }

    [Fact]
    public void TranscoderLoaders_ConfigListingHfFiles_FetchesEachListedFileAtItsRevision()
    {
        using var work = new TempDir();
        using var server = new MockHubServer();
        var l0 = LayerFile(work, 0, d: 8, k: 4, out var bias0);
        var l1 = LayerFile(work, 1, d: 8, k: 4, out var bias1);
        server.Add(new MockRepo("org/tc-files")
            .Commit(Hubs.Commit1, new() { ["a/L0.safetensors"] = MockRepo.Lfs(l0), ["a/L1.safetensors"] = MockRepo.Lfs(l1), ["unused.safetensors"] = MockRepo.Lfs(l0) }, "v1")
            .Commit(Hubs.Commit2, new() { ["other.bin"] = MockRepo.Lfs([9]) }, "main"));
        server.Add(new MockRepo("org/tc-list").Commit(Hubs.Commit1, new()
        {
            ["config.yaml"] = MockRepo.Text(Hooks + "transcoders:\n  - \"hf://org/tc-files/a/L0.safetensors?revision=v1\"\n  - \"hf://org/tc-files@v1/a/L1.safetensors\"\n"),
        }));
        using var client = Hubs.Client(server, work.Sub("cache"));

        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
        using (var set = TranscoderLoaders.Load("hf://org/tc-list/config.yaml"))
        {
            Assert.Equal(bias0, set[0].EncoderBias);
            Assert.Equal(bias1, set[1].EncoderBias);
        }
        Assert.Equal(2, server.CdnRequests.Count()); // unused.safetensors is not fetched
        Assert.Equal(Hubs.Commit1, File.ReadAllText(work.Sub("cache", "models--org--tc-files", "refs", "v1")));
    }

    [Fact]
    public void HfUri_WithoutResolver_UncachedFile_SaysToDownloadIt()
    {
        using var empty = new TempDir();
        var e = Assert.ThrowsAny<CircuitInsightsException>(() => HfUri.ResolveLocal("hf://org/absent/layer_0.safetensors", [empty.Path]));
        Assert.Contains("circuit-insights download hf://org/absent/layer_0.safetensors", e.Message);
    }
}
