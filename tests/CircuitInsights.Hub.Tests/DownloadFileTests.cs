using CircuitInsights.Formats;
using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

public sealed class DownloadFileTests
{
    internal static (MockHubServer Server, MockFile Weights, MockFile Config, MockFile Notes) Serve()
    {
        var server = new MockHubServer();
        var weights = MockRepo.Lfs(MockRepo.RandomBytes(300_000, seed: 1));
        var config = MockRepo.Text("{\"model_type\": \"gpt2\"}\n");
        var notes = MockRepo.Text("nested\n");
        server.Add(new MockRepo("org/model")
            .Commit(Hubs.Commit1, new() { ["model.safetensors"] = weights, ["config.json"] = config, ["sub/dir/notes.txt"] = notes })
            .Commit(Hubs.Commit2, new() { ["config.json"] = MockRepo.Text("{\"v\": 2}") }, "refs/pr/1", "v2"));
        return (server, weights, config, notes);
    }

    [Fact]
    public void DownloadFile_LfsFile_LaysOutCacheLikeHuggingfaceHub()
    {
        var (server, weights, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string path = client.DownloadFile("org/model", "model.safetensors");

        string repo = Path.Combine(dir.Path, "models--org--model");
        Assert.Equal(Path.Combine(repo, "snapshots", Hubs.Commit1, "model.safetensors"), path);
        Assert.Equal($"../../blobs/{weights.Sha256}", new FileInfo(path).LinkTarget);
        Assert.Equal(weights.Content, File.ReadAllBytes(Path.Combine(repo, "blobs", weights.Sha256)));
        Assert.Equal(Hubs.Commit1, File.ReadAllText(Path.Combine(repo, "refs", "main"))); // no trailing newline
        Assert.Empty(Directory.GetFiles(Path.Combine(repo, "blobs"), "*.incomplete"));
        Assert.True(File.Exists(Path.Combine(dir.Path, ".locks", "models--org--model", weights.Sha256 + ".lock")));
    }

    [Fact]
    public void DownloadFile_NestedGitFile_BlobNamedByGitBlobIdAndLinkClimbsEveryFolder()
    {
        var (server, _, _, notes) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string path = client.DownloadFile("org/model", "sub/dir/notes.txt");

        Assert.Equal("79c53955ef856f16f2107446bc721c8879a1bd2e", notes.GitSha1); // git hash-object of "nested\n"
        Assert.Equal($"../../../../blobs/{notes.GitSha1}", new FileInfo(path).LinkTarget);
        Assert.Equal("nested\n", File.ReadAllText(path));
        Assert.Empty(server.CdnRequests); // git files come from the hub itself
    }

    [Fact]
    public void DownloadFile_LfsRedirect_TokenGoesToHubButNotToCdn()
    {
        var (server, _, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, token: server.ValidToken);

        client.DownloadFile("org/model", "model.safetensors");

        Assert.All(server.HubRequests, r => Assert.Equal("Bearer " + server.ValidToken, r.Header("Authorization")));
        var cdn = Assert.Single(server.CdnRequests);
        Assert.Null(cdn.Header("Authorization"));
        Assert.Contains("X-Amz-Signature=abc", cdn.Target); // the signed location is used as given
        Assert.Equal("HEAD", server.HubRequests.First().Method); // metadata first, as hf_hub_download does
    }

    [Fact]
    public void DownloadFile_SecondCall_ChecksMetadataButDownloadsNothing_CommitRevisionTouchesNoNetwork()
    {
        var (server, _, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string first = client.DownloadFile("org/model", "model.safetensors");
        int before = server.Requests.Count;
        Assert.Equal(first, client.DownloadFile("org/model", "model.safetensors"));
        Assert.Equal(["HEAD"], server.Requests.Skip(before).Select(r => r.Method));
        Assert.Single(server.CdnRequests);

        before = server.Requests.Count;
        Assert.Equal(first, client.DownloadFile("org/model", "model.safetensors", Hubs.Commit1));
        Assert.Equal(before, server.Requests.Count);
    }

    [Fact]
    public void DownloadFile_RevisionWithSlash_IsEscapedInUrlAndNestedUnderRefs()
    {
        var (server, _, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string path = client.DownloadFile("org/model", "config.json", "refs/pr/1");

        Assert.Equal("{\"v\": 2}", File.ReadAllText(path));
        Assert.Contains("/org/model/resolve/refs%2Fpr%2F1/config.json", server.HubRequests.First().Target);
        Assert.Equal(Hubs.Commit2, File.ReadAllText(Path.Combine(dir.Path, "models--org--model", "refs", "refs", "pr", "1")));
        Assert.Equal(Path.Combine(dir.Path, "models--org--model", "snapshots", Hubs.Commit2, "config.json"), path);
    }

    [Fact]
    public void DownloadFile_RenamedRepo_FollowsRelativeRedirectKeepingToken()
    {
        var (server, _, config, _) = Serve();
        using var _s = server;
        server.Renamed["org/old-name"] = "org/model";
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, token: "t0k");

        string path = client.DownloadFile("org/old-name", "config.json");

        Assert.Equal(config.Content, File.ReadAllBytes(path));
        Assert.Contains(server.HubRequests, r => r.Target.StartsWith("/org/model/resolve/", StringComparison.Ordinal) && r.Header("Authorization") == "Bearer t0k");
        Assert.StartsWith(Path.Combine(dir.Path, "models--org--old-name"), path); // cached under the id that was asked for, as huggingface_hub does
    }

    [Fact]
    public void DownloadFile_Progress_IsMonotonicAndEndsCompleteWithSize()
    {
        var (server, weights, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);
        var reports = new List<DownloadProgress>();

        client.DownloadFile("org/model", "model.safetensors", progress: new SyncProgress(reports.Add));

        Assert.True(reports.Count >= 2);
        Assert.All(reports, r => Assert.Equal(weights.Content.Length, r.Total));
        for (int i = 1; i < reports.Count; i++) Assert.True(reports[i].Downloaded >= reports[i - 1].Downloaded);
        Assert.True(reports[^1].Completed);
        Assert.Equal(weights.Content.Length, reports[^1].Downloaded);
        Assert.Equal("model.safetensors", reports[^1].File);
        Assert.Equal(1, reports.Count(r => r.Completed));
    }

    [Fact]
    public async Task DownloadFile_TwoClientsAtOnce_BlobIsDownloadedOnce()
    {
        var (server, weights, _, _) = Serve();
        using var _s = server;
        server.StallAfter(weights.Sha256, 1000, TimeSpan.FromMilliseconds(300)); // keep the first download busy
        using var dir = new TempDir();
        using var a = Hubs.Client(server, dir.Path, tweak: o => o with { ReadTimeout = TimeSpan.FromSeconds(5) });
        using var b = Hubs.Client(server, dir.Path);

        var results = await Task.WhenAll(
            Task.Run(() => a.DownloadFileAsync("org/model", "model.safetensors")),
            Task.Run(async () => { await Task.Delay(50); return await b.DownloadFileAsync("org/model", "model.safetensors"); }));

        Assert.Equal(results[0], results[1]);
        Assert.Equal(weights.Content, File.ReadAllBytes(results[0]));
        Assert.Equal(2, server.CdnRequests.Count()); // the stalled GET and its resume; the second client waited on the lock
    }

    [Fact]
    public void DownloadFile_BadPathOrRepo_OneLineErrorBeforeAnyRequest()
    {
        var (server, _, _, _) = Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Assert.Contains("not a valid file path", Assert.ThrowsAny<CircuitInsightsException>(() => client.DownloadFile("org/model", "../escape")).Message);
        Assert.Contains("not a hub repo id", Assert.ThrowsAny<CircuitInsightsException>(() => client.DownloadFile("org/../x", "a")).Message);
        Assert.Contains("not a valid branch", Assert.ThrowsAny<CircuitInsightsException>(() => client.DownloadFile("org/model", "a", "../../etc")).Message);
        Assert.Empty(server.Requests);
    }
}
