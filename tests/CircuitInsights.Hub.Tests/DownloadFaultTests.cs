using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

public sealed class DownloadFaultTests
{
    static string Blob(string cache, string etag) => Path.Combine(cache, "models--org--model", "blobs", etag);

    [Fact]
    public void DownloadFile_ConnectionCutMidway_ResumesWithRangeFromTheCut()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.CutAfter(weights.Sha256, 100_000);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        string path = client.DownloadFile("org/model", "model.safetensors");

        Assert.Equal(weights.Content, File.ReadAllBytes(path));
        var gets = server.CdnRequests.ToList();
        Assert.Equal(2, gets.Count);
        Assert.Null(gets[0].Header("Range"));
        Assert.Equal("bytes=100000-", gets[1].Header("Range"));
    }

    [Fact]
    public void DownloadFile_StalledTransfer_TimesOutAndResumes()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.StallAfter(weights.Sha256, 50_000, TimeSpan.FromSeconds(20));
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, tweak: o => o with { ReadTimeout = TimeSpan.FromMilliseconds(300) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        string path = client.DownloadFile("org/model", "model.safetensors");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(weights.Content, File.ReadAllBytes(path));
        Assert.Equal("bytes=50000-", server.CdnRequests.Last().Header("Range"));
    }

    [Fact]
    public void DownloadFile_RepeatedDropsWithoutProgress_KeepsPartialFileAndNextRunResumesIt()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        string incomplete = Blob(dir.Path, weights.Sha256) + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        File.WriteAllBytes(incomplete, weights.Content[..120_000]); // an earlier run was interrupted here
        server.CutAfter(weights.Sha256, 0, times: 50);

        using (var failing = Hubs.Client(server, dir.Path, maxRetries: 2))
            Hubs.Throws(HubErrorKind.Network, () => failing.DownloadFile("org/model", "model.safetensors"),
                "interrupted 3 times", "120000 of 300000 bytes are kept", ".incomplete");
        Assert.Equal(120_000, new FileInfo(incomplete).Length);
        Assert.All(server.CdnRequests, r => Assert.Equal("bytes=120000-", r.Header("Range")));

        server.CutAfter(weights.Sha256, 0, times: 0);
        int before = server.CdnRequests.Count();
        using var client = Hubs.Client(server, dir.Path);
        string path = client.DownloadFile("org/model", "model.safetensors");

        Assert.Equal(weights.Content, File.ReadAllBytes(path));
        var resumed = Assert.Single(server.CdnRequests.Skip(before));
        Assert.Equal("bytes=120000-", resumed.Header("Range"));
        Assert.False(File.Exists(incomplete));
    }

    [Fact]
    public void DownloadFile_ServerIgnoresRange_RestartsFromZeroAndStillVerifies()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.IgnoreRange = true;
        using var dir = new TempDir();
        string incomplete = Blob(dir.Path, weights.Sha256) + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        File.WriteAllBytes(incomplete, weights.Content[..1000]);
        using var client = Hubs.Client(server, dir.Path);

        Assert.Equal(weights.Content, File.ReadAllBytes(client.DownloadFile("org/model", "model.safetensors")));
        Assert.Single(server.CdnRequests);
    }

    [Fact]
    public void DownloadFile_PartialFileThatIsNotAPrefix_IsDetectedAndRefetched()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        using var dir = new TempDir();
        string incomplete = Blob(dir.Path, weights.Sha256) + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        File.WriteAllBytes(incomplete, new byte[5000]); // zeros: not the blob's first bytes
        using var client = Hubs.Client(server, dir.Path);

        Assert.Equal(weights.Content, File.ReadAllBytes(client.DownloadFile("org/model", "model.safetensors")));
        var gets = server.CdnRequests.ToList();
        Assert.Equal(2, gets.Count); // resumed (checksum fails), then once from scratch
        Assert.Equal("bytes=5000-", gets[0].Header("Range"));
        Assert.Null(gets[1].Header("Range"));
    }

    [Fact]
    public void DownloadFile_CorruptedOnce_IsRefetchedAndStored()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.Corrupt(weights.Sha256, times: 1);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Assert.Equal(weights.Content, File.ReadAllBytes(client.DownloadFile("org/model", "model.safetensors")));
        Assert.Equal(2, server.CdnRequests.Count());
    }

    [Fact]
    public void DownloadFile_CorruptedTwice_IntegrityErrorAndNothingStored()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.Corrupt(weights.Sha256, times: 2);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.Integrity, () => client.DownloadFile("org/model", "model.safetensors"),
            "org/model/model.safetensors", "does not match", "sha256", weights.Sha256);
        Assert.False(File.Exists(Blob(dir.Path, weights.Sha256)));
        Assert.False(File.Exists(Blob(dir.Path, weights.Sha256) + ".incomplete"));
        Assert.False(File.Exists(Path.Combine(dir.Path, "models--org--model", "snapshots", Hubs.Commit1, "model.safetensors")));
    }

    [Fact]
    public void DownloadFile_CorruptedGitFile_DetectedByGitBlobSha1()
    {
        var (server, _, config, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.Corrupt(config.GitSha1, times: 2);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Hubs.Throws(HubErrorKind.Integrity, () => client.DownloadFile("org/model", "config.json"), "git-sha1", config.GitSha1);
        server.Corrupt(config.GitSha1, times: 1);
        Assert.Equal(config.Content, File.ReadAllBytes(client.DownloadFile("org/model", "config.json")));
    }

    [Fact]
    public void DownloadFile_TransientServerErrors_AreRetried()
    {
        var (server, weights, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.FailNext(3);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path);

        Assert.Equal(weights.Content, File.ReadAllBytes(client.DownloadFile("org/model", "model.safetensors")));
        Assert.Equal(3, server.HubRequests.Count(r => r.Method == "HEAD") - 1);
    }

    [Fact]
    public void DownloadFile_PersistentServerErrors_NetworkErrorAfterRetries()
    {
        var (server, _, _, _) = DownloadFileTests.Serve();
        using var _s = server;
        server.FailNext(100);
        using var dir = new TempDir();
        using var client = Hubs.Client(server, dir.Path, maxRetries: 2);

        Hubs.Throws(HubErrorKind.Network, () => client.DownloadFile("org/model", "config.json"), "HTTP 503", "org/model");
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public void DownloadFile_HubUnreachable_FallsBackToCachedRevision()
    {
        var (server, _, config, _) = DownloadFileTests.Serve();
        using var dir = new TempDir();
        string cached;
        using (server)
        using (var online = Hubs.Client(server, dir.Path))
            cached = online.DownloadFile("org/model", "config.json");

        using var offline = new HubClient(Hubs.Options(server.Endpoint, dir.Path, maxRetries: 1)); // the server is gone: connection refused
        Assert.Equal(cached, offline.DownloadFile("org/model", "config.json"));
        Assert.Equal(config.Content, File.ReadAllBytes(cached));
        Hubs.Throws(HubErrorKind.Network, () => offline.DownloadFile("org/model", "model.safetensors"), "could not reach");
    }
}
