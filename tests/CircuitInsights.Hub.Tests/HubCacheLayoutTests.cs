using CircuitInsights.Formats;

namespace CircuitInsights.Hub.Tests;

public sealed class HubCacheLayoutTests
{
    [Theory]
    [InlineData("org/name", HubRepoType.Model, "models--org--name")]
    [InlineData("gpt2", HubRepoType.Model, "models--gpt2")]
    [InlineData("org/data.v2", HubRepoType.Dataset, "datasets--org--data.v2")]
    public void FolderName_MatchesRepoFolderName_AndParsesBack(string id, HubRepoType type, string folder)
    {
        Assert.Equal(folder, HubCacheLayout.FolderName(id, type));
        Assert.Equal((id, type), HubCacheLayout.ParseFolderName(folder));
    }

    [Fact]
    public void ParseFolderName_OtherFolders_Null()
    {
        Assert.Null(HubCacheLayout.ParseFolderName(".locks"));
        Assert.Null(HubCacheLayout.ParseFolderName("spaces--org--app"));
        Assert.Null(HubCacheLayout.ParseFolderName("models--"));
    }

    [Fact]
    public void DefaultCacheRoot_FollowsHuggingfaceHubPrecedence()
    {
        string Root(params (string K, string V)[] env) =>
            HubCacheLayout.DefaultCacheRoot(k => env.FirstOrDefault(e => e.K == k).V ?? (k == "HOME" ? "/home/u" : null));

        Assert.Equal("/home/u/.cache/huggingface/hub", Root());
        Assert.Equal("/xdg/huggingface/hub", Root(("XDG_CACHE_HOME", "/xdg")));
        Assert.Equal("/hf/hub", Root(("XDG_CACHE_HOME", "/xdg"), ("HF_HOME", "/hf")));
        Assert.Equal("/legacy", Root(("HF_HOME", "/hf"), ("HUGGINGFACE_HUB_CACHE", "/legacy")));
        Assert.Equal("/new", Root(("HF_HOME", "/hf"), ("HUGGINGFACE_HUB_CACHE", "/legacy"), ("HF_HUB_CACHE", "/new")));
        Assert.Equal("/home/u/hfc", Root(("HF_HUB_CACHE", "~/hfc")));
        Assert.Equal("/home/u/.cache/huggingface", HubCacheLayout.HfHome(k => k == "HOME" ? "/home/u" : null));
    }

    [Fact]
    public void SearchRoots_ListEveryCandidateOnce()
    {
        var env = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = "/x/hub", ["HF_HOME"] = "/x", ["XDG_CACHE_HOME"] = "/c", ["HOME"] = "/home/u" };
        Assert.Equal(["/x/hub", "/c/huggingface/hub", "/home/u/.cache/huggingface/hub"], HubCacheLayout.SearchRoots(k => env.GetValueOrDefault(k)));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("./a")]
    public void PointerPath_RejectsPathsLeavingTheSnapshot(string path)
    {
        var e = Assert.ThrowsAny<CircuitInsightsException>(() => HubCacheLayout.PointerPath("/c/models--o--m", Hubs.Commit1, path));
        Assert.Contains("not a valid file path", e.Message);
    }

    [Fact]
    public void Paths_AreTheOnesHuggingfaceHubUses()
    {
        string repo = "/c/models--o--m";
        Assert.Equal("/c/models--o--m/snapshots/" + Hubs.Commit1 + "/a/b.json", HubCacheLayout.PointerPath(repo, Hubs.Commit1, "a/b.json"));
        Assert.Equal("/c/models--o--m/refs/refs/pr/3", HubCacheLayout.RefPath(repo, "refs/pr/3"));
        Assert.Equal("/c/models--o--m/.no_exist/" + Hubs.Commit1 + "/x.bin", HubCacheLayout.NoExistPath(repo, Hubs.Commit1, "x.bin"));
        Assert.Equal("/c/.locks/models--o--m/abc.lock", HubCacheLayout.LockPath("/c", "o/m", HubRepoType.Model, "abc"));
        Assert.Throws<CircuitInsightsException>(() => HubCacheLayout.BlobPath(repo, "../../x"));
        Assert.Throws<CircuitInsightsException>(() => HubCacheLayout.SnapshotFolder(repo, "main"));
    }

    [Fact]
    public void TryResolveCommit_ReadsRefsAndRejectsGarbage()
    {
        using var dir = new TempDir();
        string repo = dir.Sub("models--o--m");
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Hubs.Commit1 + "\n");
        File.WriteAllText(Path.Combine(repo, "refs", "bad"), "not a commit");

        Assert.Equal(Hubs.Commit1, HubCacheLayout.TryResolveCommit(repo, "main"));
        Assert.Equal(Hubs.Commit2, HubCacheLayout.TryResolveCommit(repo, Hubs.Commit2));
        Assert.Null(HubCacheLayout.TryResolveCommit(repo, "dev"));
        Assert.Contains("commit hash", Assert.Throws<InvalidModelFileException>(() => HubCacheLayout.TryResolveCommit(repo, "bad")).Message);
    }
}
