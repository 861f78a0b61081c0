using CircuitInsights.Formats;
using CircuitInsights.Hub.Tests.Mock;

namespace CircuitInsights.Hub.Tests;

public sealed class DownloadFileTests
{
    static (MockHubServer Server, MockRepo Repo, MockFile Weights, MockFile Config) Serve()
    {
        var server = new MockHubServer();
        var weights = MockRepo.Lfs(MockRepo.RandomBytes(300_000, seed: 1));
        var config = MockRepo.Text("{\"model_type\": \"gpt2\"}\n");
        var repo = server.Add(new MockRepo("org/model").Commit(Hubs.Commit1, new()
        {
            ["model.safetensors"] = weights, ["config.json"] = config, ["sub/dir/notes.txt"] = MockRepo.Text("nested\n"),
        }));
        return (server, repo, weights, config);
    }

    [Fact]
    public void DownloadFile_LfsFile_LaysOutCacheLikeHuggingfaceHub()
    {
        var (server, _, weights, _) = Serve();
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
}
