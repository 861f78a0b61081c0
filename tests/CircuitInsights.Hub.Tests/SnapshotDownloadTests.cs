using CircuitInsights.Formats;
using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

public sealed class SnapshotDownloadTests
{
    [Fact]
    public void SnapshotDownload_AllowPatterns_FetchOnlyMatchingFilesAndReturnSnapshotFolder()
    {
        var (server, _, config, notes) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string snapshot = client.SnapshotDownload("org/model", allowPatterns: ["*.json", "sub/"]);

        Assert.Equal(Path.Combine(dir.Path, "models--org--model", "snapshots", Hubs.Commit1), snapshot);
        Assert.Equal(config.Content, File.ReadAllBytes(Path.Combine(snapshot, "config.json")));
        Assert.Equal(notes.Content, File.ReadAllBytes(Path.Combine(snapshot, "sub", "dir", "notes.txt")));
        Assert.False(File.Exists(Path.Combine(snapshot, "model.safetensors")));
        Assert.Empty(server.CdnRequests);
        Assert.Equal("/api/models/org/model/revision/main", server.HubRequests.First().Target);
        Assert.Equal(Hubs.Commit1, File.ReadAllText(Path.Combine(dir.Path, "models--org--model", "refs", "main")));
        // files are fetched at the listed commit, not at the branch (a push in between cannot mix revisions)
        Assert.All(server.HubRequests.Skip(1), r => Assert.Contains($"/resolve/{Hubs.Commit1}/", r.Target));
    }

    [Fact]
    public void SnapshotDownload_Twice_SecondRunListsTheRepoButFetchesNothing()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);
        var progress = new List<DownloadProgress>();

        string first = client.SnapshotDownload("org/model", progress: new SyncProgress(progress.Add));
        int before = server.Requests.Count;
        string second = client.SnapshotDownload("org/model");

        Assert.Equal(first, second);
        Assert.Equal(["GET /api/models/org/model/revision/main"], server.Requests.Skip(before).Select(r => $"{r.Method} {r.Target}"));
        Assert.Equal(weights.Content, File.ReadAllBytes(Path.Combine(first, "model.safetensors")));
        Assert.Equal(3, progress.Count(p => p.Completed));
        Assert.All(progress, p => Assert.Equal(3, p.FileCount));
        Assert.Equal([0, 1, 2], progress.Where(p => p.Completed).Select(p => p.FileIndex).Order());
    }

    [Fact]
    public void SnapshotDownload_NoFileMatches_NamesThePatterns()
    {
        var (server, _, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.NotFound, () => client.SnapshotDownload("org/model", allowPatterns: ["*.gguf"]), "no file of model repo org/model matches '*.gguf'", "3 files");
    }

    [Fact]
    public void SnapshotDownload_Tag_WritesItsRef()
    {
        var (server, _, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string snapshot = client.SnapshotDownload("org/model", "v2");

        Assert.EndsWith(Hubs.Commit2, snapshot);
        Assert.Equal(Hubs.Commit2, File.ReadAllText(Path.Combine(dir.Path, "models--org--model", "refs", "v2")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "models--org--model", "refs", "main")));
    }

    [Fact]
    public void SnapshotDownload_Dataset_UsesDatasetRoutesAndCacheFolder()
    {
        using var server = new MockHubServer();
        var rows = MockRepo.Lfs(MockRepo.RandomBytes(20_000, seed: 3));
        server.Add(new MockRepo("org/data", HubRepoType.Dataset).Commit(Hubs.Commit1, new() { ["data/train.parquet"] = rows, ["README.md"] = MockRepo.Text("# data\n") }));
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string snapshot = client.SnapshotDownload("org/data", repoType: HubRepoType.Dataset, allowPatterns: ["data/*"]);

        Assert.Equal(Path.Combine(dir.Path, "datasets--org--data", "snapshots", Hubs.Commit1), snapshot);
        Assert.Equal(rows.Content, File.ReadAllBytes(Path.Combine(snapshot, "data", "train.parquet")));
        Assert.Equal("/api/datasets/org/data/revision/main", server.HubRequests.First().Target);
        Assert.StartsWith($"/datasets/org/data/resolve/{Hubs.Commit1}/data/train.parquet", server.HubRequests.Last().Target);
        Assert.Equal($"../../../blobs/{rows.Sha256}", new FileInfo(Path.Combine(snapshot, "data", "train.parquet")).LinkTarget);
    }
}
