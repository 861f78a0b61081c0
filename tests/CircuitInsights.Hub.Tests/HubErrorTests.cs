using CircuitInsights.Formats;
using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

public sealed class HubErrorTests
{
    static MockHubServer ServeGated()
    {
        var server = new MockHubServer();
        server.Add(new MockRepo("org/gated") { Gated = true }.Commit(Hubs.Commit1, new() { ["config.json"] = MockRepo.Text("{}") }));
        return server;
    }

    [Fact]
    public void DownloadFile_GatedRepoWithoutToken_OneClearLine()
    {
        using var server = ServeGated();
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.Gated, () => client.DownloadFile("org/gated", "config.json"),
            "repo org/gated is gated: accept its licence on", "/org/gated", "set HF_TOKEN", "no token was sent");
        Assert.Single(server.Requests); // 401 is not retried
    }

    [Fact]
    public void DownloadFile_GatedRepoWithTokenWithoutAccess_SaysTheTokenHasNoAccess()
    {
        using var server = ServeGated();
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, token: "hf_other_user");

        Hubs.Throws(HubErrorKind.Gated, () => client.DownloadFile("org/gated", "config.json"), "is gated", "has no access");
        Hubs.Throws(HubErrorKind.Gated, () => client.SnapshotDownload("org/gated"), "is gated", "has no access");
    }

    [Fact]
    public void DownloadFile_GatedRepoWithValidToken_Downloads()
    {
        using var server = ServeGated();
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, token: server.ValidToken);

        Assert.Equal("{}", File.ReadAllText(client.DownloadFile("org/gated", "config.json")));
    }

    [Fact]
    public void DownloadFile_MissingFile_NotFoundAndNoExistMarkerLikeHuggingfaceHub()
    {
        var (server, _, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.NotFound, () => client.DownloadFile("org/model", "sub/nope.bin"), "file 'sub/nope.bin' not found in model repo org/model at revision 'main'");
        string repo = Path.Combine(dir.Path, "models--org--model");
        Assert.True(File.Exists(Path.Combine(repo, ".no_exist", Hubs.Commit1, "sub", "nope.bin")));
        Assert.Equal(Hubs.Commit1, File.ReadAllText(Path.Combine(repo, "refs", "main")));
        Assert.Single(server.Requests); // 404 is neither retried nor answered from the cache
    }

    [Fact]
    public void Download_MissingRepoOrRevision_NamesWhatIsMissing()
    {
        var (server, _, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.NotFound, () => client.DownloadFile("org/none", "config.json"), "model repo org/none not found", "dataset");
        Hubs.Throws(HubErrorKind.NotFound, () => client.SnapshotDownload("org/none"), "model repo org/none not found");
        Hubs.Throws(HubErrorKind.NotFound, () => client.DownloadFile("org/model", "config.json", "v9"), "revision 'v9' not found in model repo org/model");
        Hubs.Throws(HubErrorKind.NotFound, () => client.SnapshotDownload("org/model", "v9"), "revision 'v9' not found");
        Hubs.Throws(HubErrorKind.NotFound, () => client.SnapshotDownload("org/model", repoType: HubRepoType.Dataset), "dataset repo org/model not found");
    }

    [Fact]
    public void Offline_CachedFilesAreServed_MissingOnesFailClearly_NoRequestIsMade()
    {
        var (server, _, config, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using (var online = Hubs.Client(server, dir.Path))
            online.DownloadFile("org/model", "config.json");
        int before = server.Requests.Count;
        using var client = Hubs.Client(server, dir.Path, offline: true);

        Assert.Equal(config.Content, File.ReadAllBytes(client.DownloadFile("org/model", "config.json")));
        Assert.EndsWith(Hubs.Commit1, client.SnapshotDownload("org/model"));
        Hubs.Throws(HubErrorKind.Offline, () => client.DownloadFile("org/model", "model.safetensors"), "HF_HUB_OFFLINE", "model.safetensors", dir.Path);
        Hubs.Throws(HubErrorKind.Offline, () => client.SnapshotDownload("org/other"), "HF_HUB_OFFLINE", "org/other");
        Hubs.Throws(HubErrorKind.Offline, () => client.GetRepoInfo("org/model"), "HF_HUB_OFFLINE");
        Assert.Equal(before, server.Requests.Count);
    }

    [Fact]
    public void HubClient_EndpointNotHttp_IsRejected()
    {
        var e = Assert.ThrowsAny<CircuitInsightsException>(() => new HubClient(new HubClientOptions { Endpoint = "ftp://example.org" }));
        Assert.Contains("HF_ENDPOINT", e.Message);
    }
}
