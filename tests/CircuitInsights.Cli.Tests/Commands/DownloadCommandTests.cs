using CircuitInsights.Formats;
using CircuitInsights.Hub;
using CircuitInsights.Testing;
using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Cli.Tests.Commands;

public sealed class DownloadCommandTests : IDisposable
{
    const string Commit = "1111111111111111111111111111111111111111";
    readonly MockHubServer server = new();
    readonly string cache = CheckpointDirectory.CreateTemp("ci-cli-hub");
    readonly MockFile weights = MockRepo.Lfs(MockRepo.RandomBytes(40_000, seed: 4));

    public DownloadCommandTests()
    {
        server.Add(new MockRepo("org/model").Commit(Commit, new()
        {
            ["config.json"] = MockRepo.Text("{}"), ["model.safetensors"] = weights, ["sub/a.txt"] = MockRepo.Text("a"),
        }));
        server.Add(new MockRepo("org/gated") { Gated = true }.Commit(Commit, new() { ["config.json"] = MockRepo.Text("{}") }));
        server.Add(new MockRepo("org/data", HubRepoType.Dataset).Commit(Commit, new() { ["train.csv"] = MockRepo.Text("x\n1\n") }));
    }

    (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run([.. args, "--cache-dir", cache, "--endpoint", server.Endpoint], o, e);
        return (code, o.ToString(), e.ToString());
    }

    string Snapshot(string folder = "models--org--model") => Path.Combine(cache, folder, "snapshots", Commit);

    [Fact]
    public void Download_WithInclude_PrintsSnapshotPathAndFetchesOnlyMatches()
    {
        var (code, stdout, stderr) = Run("download", "org/model", "--include", "*.json", "sub/");

        Assert.Equal(0, code);
        Assert.Equal(Snapshot() + Environment.NewLine, stdout);
        Assert.True(File.Exists(Path.Combine(Snapshot(), "config.json")));
        Assert.True(File.Exists(Path.Combine(Snapshot(), "sub", "a.txt")));
        Assert.False(File.Exists(Path.Combine(Snapshot(), "model.safetensors")));
        Assert.Contains("downloaded config.json", stderr);
        Assert.Contains("downloaded 2 file(s)", stderr);

        var again = Run("download", "org/model", "--include", "*.json");
        Assert.Equal(0, again.Code);
        Assert.Contains("already in", again.Err);
    }

    [Fact]
    public void Download_HfUriOfOneFile_PrintsTheFile()
    {
        var (code, stdout, _) = Run("download", "hf://org/model/model.safetensors", "--revision", "main");

        Assert.Equal(0, code);
        string file = stdout.Trim();
        Assert.Equal(Path.Combine(Snapshot(), "model.safetensors"), file);
        Assert.Equal(weights.Content, File.ReadAllBytes(file));
    }

    [Fact]
    public void Download_Dataset_UsesDatasetCacheFolder()
    {
        var (code, stdout, _) = Run("download", "org/data", "--repo-type", "dataset");

        Assert.Equal(0, code);
        Assert.Equal(Snapshot("datasets--org--data"), stdout.Trim());
    }

    [Fact]
    public void Download_GatedRepo_OneLineErrorExit1()
    {
        var (code, stdout, stderr) = Run("download", "org/gated");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: repo org/gated is gated: accept its licence on", stderr);
        Assert.Contains("set HF_TOKEN", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Download_BadArguments_Exit2Or1()
    {
        Assert.Equal(2, Run("download", "org/model", "--repo-type", "space").Code);
        var twoRevisions = Run("download", "org/model@v1", "--revision", "v2");
        Assert.Equal(1, twoRevisions.Code);
        Assert.Contains("two revisions", twoRevisions.Err);
        Assert.Contains("not found", Run("download", "org/missing").Err);
    }

    [Fact]
    public void Inspect_HubId_IsDownloadedThroughTheInstalledResolver()
    {
        string local = CheckpointDirectory.CreateTemp("ci-cli-gpt2");
        try
        {
            var config = new SyntheticGpt2.Config(Layers: 1, DModel: 16, Heads: 2, DMlp: 32, Vocab: 50257, Positions: 16);
            CheckpointDirectory.WriteGpt2(local, config, SyntheticGpt2.Create(config, seed: 3));
            server.Add(new MockRepo("org/tiny").Commit(Commit, Directory.GetFiles(local)
                .ToDictionary(f => Path.GetFileName(f), f => new MockFile(File.ReadAllBytes(f), lfs: f.EndsWith(".safetensors")))));
            var o = new StringWriter();
            var e = new StringWriter();
            int code = CliApp.Run(["inspect", "org/tiny", "--no-tensors"], o, e,
                () => new HubClientOptions { Endpoint = server.Endpoint, CacheDir = cache, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });

            Assert.True(code == 0, e.ToString());
            Assert.Contains("org/tiny@" + Commit, o.ToString());
            Assert.Contains("downloaded model.safetensors", e.ToString());
        }
        finally { Directory.Delete(local, true); }
    }

    public void Dispose()
    {
        server.Dispose();
        try { Directory.Delete(cache, true); } catch (IOException) { }
    }
}
