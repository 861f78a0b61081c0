using CircuitInsights.Formats;
using CircuitInsights.Testing.Hub;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Hub.Tests;

/// <summary>The cache is shared with Python tools both ways: what huggingface_hub writes we read, and we write the same tree.</summary>
public sealed class CacheCompatibilityTests
{
    static readonly MockFile Weights = MockRepo.Lfs(MockRepo.RandomBytes(50_000, seed: 7));
    static readonly MockFile Config = MockRepo.Text("{\"model_type\": \"gpt2\"}\n");
    static readonly MockFile Vocab = MockRepo.Text("a\nb\n");

    static Dictionary<string, MockFile> Files() => new() { ["config.json"] = Config, ["model.safetensors"] = Weights, ["tok/sub/vocab.txt"] = Vocab };

    [Fact]
    public void OurDownload_ProducesTheSameTreeAsHuggingfaceHub()
    {
        using var server = new MockHubServer();
        server.Add(new MockRepo("org/m").Commit(Hubs.Commit1, Files()));
        using var ours = new TempDir();
        using var python = new TempDir();
        using (var client = Hubs.Client(server, ours.Path))
            client.SnapshotDownload("org/m");
        PythonCache.Lay(python.Path, "org/m", HubRepoType.Model, Hubs.Commit1, Files(), "main");

        Assert.Equal(PythonCache.Describe(python.Path), PythonCache.Describe(ours.Path));
    }

    [Fact]
    public void PythonCache_IsReadWithoutNetwork_ByClientResolverModelDirectoryAndHfUri()
    {
        using var cache = new TempDir();
        PythonCache.Lay(cache.Path, "org/py", HubRepoType.Model, Hubs.Commit1, Files(), "main", "v1");
        using var client = Hubs.NoNetworkClient(cache.Path);
        var resolver = new HubResolver(client, searchRoots: []);
        string snapshot = Path.Combine(cache.Path, "models--org--py", "snapshots", Hubs.Commit1);

        // the client: a commit revision needs no request (hf_hub_download's shortcut)
        Assert.Equal(Path.Combine(snapshot, "config.json"), client.DownloadFile("org/py", "config.json", Hubs.Commit1));
        // the resolver: cache first, for files, models and tags
        Assert.Equal(Vocab.Content, File.ReadAllBytes(resolver.ResolveFile("org/py", "tok/sub/vocab.txt", null)));
        Assert.Equal(snapshot, resolver.ResolveModel("org/py", "v1"));
        // the loaders' entry points, with the resolver installed
        using (HubResolution.Use(resolver))
        {
            var dir = ModelDirectory.Resolve("org/py", hubCaches: [cache.Path]);
            Assert.Equal(snapshot, dir.Path);
            Assert.Equal(Hubs.Commit1, dir.Revision);
            Assert.Equal(Weights.Content, File.ReadAllBytes(dir.GetFile("model.safetensors")));
            Assert.Equal(Path.Combine(snapshot, "tok", "sub", "vocab.txt"), HfUri.ResolveLocal("hf://org/py/tok/sub/vocab.txt?revision=v1", [cache.Path]));
        }
    }

    [Fact]
    public void PythonCache_OfflineClient_ResolvesBranchThroughRefs()
    {
        using var cache = new TempDir();
        PythonCache.Lay(cache.Path, "org/py", HubRepoType.Model, Hubs.Commit1, Files(), "main");
        using var client = new HubClient(new HubClientOptions { Endpoint = "http://127.0.0.1:9", CacheDir = cache.Path, Offline = true });

        Assert.Equal(Config.Content, File.ReadAllBytes(client.DownloadFile("org/py", "config.json")));
        Assert.EndsWith(Hubs.Commit1, client.SnapshotDownload("org/py"));
        // folders through hf:// URIs: the offline resolver answers from the cache
        using (HubResolution.Use(new HubResolver(client, searchRoots: [])))
            Assert.Equal(Path.Combine(cache.Path, "models--org--py", "snapshots", Hubs.Commit1, "tok"), HfUri.ResolveLocal("hf://org/py@main/tok/", [cache.Path]));
    }

    [Fact]
    public void PythonCache_ThenOnlineDownloadOfAnotherFile_ReusesTheEntry()
    {
        using var server = new MockHubServer();
        var extra = MockRepo.Text("extra\n");
        var files = Files();
        files["extra.txt"] = extra;
        server.Add(new MockRepo("org/py").Commit(Hubs.Commit1, files));
        using var cache = new TempDir();
        PythonCache.Lay(cache.Path, "org/py", HubRepoType.Model, Hubs.Commit1, Files(), "main");
        using var client = Hubs.Client(server, cache.Path);

        string snapshot = client.SnapshotDownload("org/py");

        Assert.Equal(extra.Content, File.ReadAllBytes(Path.Combine(snapshot, "extra.txt")));
        Assert.Empty(server.CdnRequests); // the LFS weights were already there
        Assert.Equal([$"GET /api/models/org/py/revision/main", $"HEAD /org/py/resolve/{Hubs.Commit1}/extra.txt", $"GET /org/py/resolve/{Hubs.Commit1}/extra.txt"],
            server.HubRequests.Select(r => $"{r.Method} {r.Target}"));
    }
}
