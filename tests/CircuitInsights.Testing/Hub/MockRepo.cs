using System.Security.Cryptography;
using System.Text;
using CircuitInsights.Formats;

namespace CircuitInsights.Testing.Hub;

/// <summary>A file of a mock repo: LFS files are served through the CDN with their sha256 as X-Linked-Etag.</summary>
public sealed class MockFile(byte[] content, bool lfs)
{
    public byte[] Content { get; } = content;
    public bool Lfs { get; } = lfs;
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(content));
    /// <summary>git blob id: sha1("blob {size}\0" + content).</summary>
    public string GitSha1 { get; } = GitBlobId(content);
    /// <summary>What huggingface_hub names the blob by: sha256 for LFS, git sha1 otherwise.</summary>
    public string Etag => Lfs ? Sha256 : GitSha1;

    public static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
}

/// <summary>A repo of the mock hub: commits (each a full file set) and refs (branch/tag → commit).</summary>
public sealed class MockRepo(string id, HubRepoType type = HubRepoType.Model)
{
    public string Id { get; } = id;
    public HubRepoType Type { get; } = type;
    /// <summary>Answers 401 (no token) / 403 (wrong token) with X-Error-Code GatedRepo unless the server's valid token is sent.</summary>
    public bool Gated { get; set; }
    public Dictionary<string, string> Refs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Dictionary<string, MockFile>> Commits { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a commit with <paramref name="files"/> and points <paramref name="refs"/> (default main) at it.</summary>
    public MockRepo Commit(string commit, Dictionary<string, MockFile> files, params string[] refs)
    {
        Commits[commit] = files;
        foreach (var r in refs.Length == 0 ? ["main"] : refs) Refs[r] = commit;
        return this;
    }

    public string? CommitOf(string revision) =>
        Commits.ContainsKey(revision) ? revision : Refs.TryGetValue(revision, out var c) ? c : null;

    public static MockFile Text(string text) => new(Encoding.UTF8.GetBytes(text), lfs: false);
    public static MockFile Lfs(byte[] bytes) => new(bytes, lfs: true);

    public static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
