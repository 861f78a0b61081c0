namespace CircuitInsights.Formats.Tests;

public sealed class ModelDirectoryTests
{
    const string Commit = "0123456789abcdef0123456789abcdef01234567";
    const string Other = "fedcba9876543210fedcba9876543210fedcba98";

    static string MakeCacheEntry(string hub, string id, params (string Ref, string Commit)[] refs)
    {
        string entry = Path.Combine(hub, "models--" + id.Replace("/", "--"));
        foreach (var (r, c) in refs)
        {
            Directory.CreateDirectory(Path.Combine(entry, "refs", Path.GetDirectoryName(r) ?? ""));
            File.WriteAllText(Path.Combine(entry, "refs", r), c);
            Directory.CreateDirectory(Path.Combine(entry, "snapshots", c));
            File.WriteAllText(Path.Combine(entry, "snapshots", c, "config.json"), "{}");
        }
        return entry;
    }

    [Fact]
    public void Resolve_LocalDirectory_IsUsedAsIs()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), "{}");
        var m = ModelDirectory.Resolve(dir.Path);
        Assert.Equal(Path.GetFullPath(dir.Path), m.Path);
        Assert.Null(m.RepoId);
        Assert.EndsWith("config.json", m.GetFile("config.json"));
        Assert.Null(m.TryGetFile("tokenizer.json"));
        BadInput.ThrowsFile(() => m.GetFile("tokenizer.json"), "tokenizer.json", "not found");
    }

    [Fact]
    public void Resolve_HubId_FindsSnapshotThroughRefsMain()
    {
        using var dir = new TempDir();
        MakeCacheEntry(dir.Path, "google/gemma-2-2b", ("main", Commit));
        var m = ModelDirectory.Resolve("google/gemma-2-2b", hubCaches: [dir.Path]);
        Assert.Equal("google/gemma-2-2b", m.RepoId);
        Assert.Equal(Commit, m.Revision);
        Assert.Equal(Path.Combine(dir.Path, "models--google--gemma-2-2b", "snapshots", Commit), m.Path);
    }

    [Fact]
    public void Resolve_HubIdWithRevision_UsesThatRefOrCommit()
    {
        using var dir = new TempDir();
        MakeCacheEntry(dir.Path, "org/model", ("main", Commit), ("new-training", Other));
        Assert.Equal(Other, ModelDirectory.Resolve("org/model@new-training", hubCaches: [dir.Path]).Revision);
        Assert.Equal(Other, ModelDirectory.Resolve("org/model", revision: Other, hubCaches: [dir.Path]).Revision);
    }

    [Fact]
    public void Resolve_CacheEntryFolder_FollowsRefs()
    {
        using var dir = new TempDir();
        string entry = MakeCacheEntry(dir.Path, "openai-community/gpt2", ("main", Commit));
        var m = ModelDirectory.Resolve(entry);
        Assert.Equal("openai-community/gpt2", m.RepoId);
        Assert.Equal(Commit, m.Revision);
    }

    [Fact]
    public void Resolve_SearchesCachesInOrder()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        MakeCacheEntry(b.Path, "gpt2", ("main", Commit));
        var m = ModelDirectory.Resolve("gpt2", hubCaches: [a.Path, b.Path]);
        Assert.StartsWith(b.Path, m.Path);
    }

    [Fact]
    public void Resolve_UnknownId_ListsPlacesSearched()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var e = BadInput.Throws(() => ModelDirectory.Resolve("meta-llama/Llama-3.2-1B", hubCaches: [a.Path, b.Path]), "meta-llama/Llama-3.2-1B", "not found locally",
            Path.Combine(a.Path, "models--meta-llama--Llama-3.2-1B"), Path.Combine(b.Path, "models--meta-llama--Llama-3.2-1B"));
        Assert.IsType<CircuitInsightsException>(e);
    }

    [Fact]
    public void Resolve_MissingRevision_Throws()
    {
        using var dir = new TempDir();
        MakeCacheEntry(dir.Path, "org/m", ("main", Commit));
        BadInput.Throws(() => ModelDirectory.Resolve("org/m@dev", hubCaches: [dir.Path]), "revision 'dev'", "refs");
    }

    [Fact]
    public void Resolve_RefPointingToMissingSnapshot_Throws()
    {
        using var dir = new TempDir();
        string entry = MakeCacheEntry(dir.Path, "org/m", ("main", Commit));
        Directory.Delete(Path.Combine(entry, "snapshots", Commit), true);
        BadInput.Throws(() => ModelDirectory.Resolve("org/m", hubCaches: [dir.Path]), Commit, "does not exist");
    }

    [Fact]
    public void Resolve_TraversalRevision_IsRejected()
    {
        using var dir = new TempDir();
        MakeCacheEntry(dir.Path, "org/m", ("main", Commit));
        BadInput.Throws(() => ModelDirectory.Resolve("org/m", revision: "../../etc", hubCaches: [dir.Path]), "not a valid");
    }

    [Fact]
    public void Resolve_GarbageInRefFile_Throws()
    {
        using var dir = new TempDir();
        string entry = MakeCacheEntry(dir.Path, "org/m", ("main", Commit));
        File.WriteAllText(Path.Combine(entry, "refs", "main"), "../../../x");
        BadInput.ThrowsFile(() => ModelDirectory.Resolve("org/m", hubCaches: [dir.Path]), "refs", "commit hash");
    }

    [Fact]
    public void Resolve_FileOrNonsense_Throws()
    {
        using var dir = new TempDir();
        string file = dir.Write("model.safetensors", [1]);
        BadInput.ThrowsFile(() => ModelDirectory.Resolve(file), file, "is a file");
        BadInput.Throws(() => ModelDirectory.Resolve("not a/valid/id!"), "neither an existing directory nor a hub id");
    }

    [Fact]
    public void DefaultHubCaches_FollowEnvironmentPrecedence()
    {
        var env = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = "/x/hub", ["HF_HOME"] = "/y", ["HOME"] = "/home/u" };
        Assert.Equal(["/x/hub", "/y/hub", "/home/u/.cache/huggingface/hub"], ModelDirectory.DefaultHubCaches(k => env.GetValueOrDefault(k)));
        Assert.Equal(["/home/u/.cache/huggingface/hub"], ModelDirectory.DefaultHubCaches(k => k == "HOME" ? "/home/u" : null));
    }
}
