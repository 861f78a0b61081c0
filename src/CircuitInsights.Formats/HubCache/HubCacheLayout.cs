using System.Text.RegularExpressions;

namespace CircuitInsights.Formats;

/// <summary>
/// The Hugging Face hub cache layout, shared with huggingface_hub (file_download.py, constants.py) in both directions:
/// <code>
/// {root}/models--org--name/                (datasets--org--name for datasets)
///   blobs/{etag}                           file content, named by its ETag without quotes (git sha1 or LFS sha256)
///   blobs/{etag}.incomplete                partial download, resumed with HTTP Range
///   snapshots/{commit}/{path}              relative symlink → ../../blobs/{etag} (one more ../ per folder level)
///   refs/{revision}                        the commit hash of a branch or tag (no newline)
///   .no_exist/{commit}/{path}              empty marker: the file does not exist at that commit
/// {root}/.locks/models--org--name/{etag}.lock
/// </code>
/// The root is <c>$HF_HUB_CACHE</c>, else <c>$HUGGINGFACE_HUB_CACHE</c>, else <c>{HF_HOME}/hub</c> where HF_HOME
/// defaults to <c>$XDG_CACHE_HOME/huggingface</c> or <c>~/.cache/huggingface</c> (constants.py).
/// </summary>
public static partial class HubCacheLayout
{
    /// <summary>Separator of the parts of a cache folder name (<c>REPO_ID_SEPARATOR</c>).</summary>
    public const string Separator = "--";

    /// <summary><c>models--org--name</c> / <c>datasets--org--name</c> (huggingface_hub <c>repo_folder_name</c>).</summary>
    public static string FolderName(string repoId, HubRepoType type) => type.Plural() + Separator + repoId.Replace("/", Separator);

    /// <summary>The repo id and type encoded in a cache folder name, or null when it is not one.</summary>
    public static (string RepoId, HubRepoType Type)? ParseFolderName(string folderName)
    {
        foreach (var type in new[] { HubRepoType.Model, HubRepoType.Dataset })
        {
            string prefix = type.Plural() + Separator;
            if (folderName.StartsWith(prefix, StringComparison.Ordinal) && folderName.Length > prefix.Length)
                return (string.Join("/", folderName[prefix.Length..].Split(Separator)), type);
        }
        return null;
    }

    public static string RepoFolder(string cacheRoot, string repoId, HubRepoType type) => Path.Combine(cacheRoot, FolderName(repoId, type));

    public static string BlobPath(string repoFolder, string etag) => Path.Combine(repoFolder, "blobs", CheckEtag(etag));

    public static string SnapshotFolder(string repoFolder, string commit) => Path.Combine(repoFolder, "snapshots", CheckCommit(commit));

    /// <summary>Path of <paramref name="pathInRepo"/> (forward slashes) inside the snapshot of <paramref name="commit"/>.</summary>
    public static string PointerPath(string repoFolder, string commit, string pathInRepo) =>
        Path.Combine(SnapshotFolder(repoFolder, commit), Path.Combine(ValidatePathInRepo(pathInRepo).Split('/')));

    public static string RefPath(string repoFolder, string revision) =>
        Path.Combine(repoFolder, "refs", Path.Combine(ValidateRevision(revision).Split('/')));

    public static string NoExistPath(string repoFolder, string commit, string pathInRepo) =>
        Path.Combine(repoFolder, ".no_exist", CheckCommit(commit), Path.Combine(ValidatePathInRepo(pathInRepo).Split('/')));

    public static string LockPath(string cacheRoot, string repoId, HubRepoType type, string etag) =>
        Path.Combine(cacheRoot, ".locks", FolderName(repoId, type), CheckEtag(etag) + ".lock");

    /// <summary>A full 40-hex lower-case git commit hash (huggingface_hub <c>REGEX_COMMIT_HASH</c>).</summary>
    public static bool IsCommitHash(string? s) => s is not null && CommitHash().IsMatch(s);

    /// <summary>A 64-hex sha256: the ETag of an LFS file (huggingface_hub <c>REGEX_SHA256</c>).</summary>
    public static bool IsSha256(string? s) => s is not null && Sha256().IsMatch(s);

    /// <summary>Throws unless <paramref name="revision"/> is a branch, tag or commit name that is safe as a path under refs/.</summary>
    public static string ValidateRevision(string revision)
    {
        if (!SafeRef().IsMatch(revision) || revision.Split('/').Any(p => p is "" or "." or ".."))
            throw new CircuitInsightsException($"revision '{Shorten(revision)}' is not a valid branch, tag or commit name");
        return revision;
    }

    /// <summary>Throws unless <paramref name="path"/> is a relative repo path (forward slashes, no empty, '.' or '..' parts).</summary>
    public static string ValidatePathInRepo(string path)
    {
        if (path.Length == 0 || path.Length > 1024 || path[0] == '/' || path.Contains('\\') || path.Contains('\0')
            || path.Split('/').Any(p => p is "" or "." or ".."))
            throw new CircuitInsightsException($"'{Shorten(path)}' is not a valid file path inside a hub repo (expected relative parts separated by '/', without '.' or '..')");
        return path;
    }

    /// <summary>Throws unless <paramref name="repoId"/> is <c>name</c> or <c>org/name</c> as the hub allows them.</summary>
    public static string ValidateRepoId(string repoId)
    {
        if (!RepoId().IsMatch(repoId) || repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal) || repoId.Length > 96)
            throw new CircuitInsightsException($"'{Shorten(repoId)}' is not a hub repo id (expected org/name, letters, digits, '-', '_' and '.')");
        return repoId;
    }

    /// <summary>
    /// The commit a revision names in a cache folder: the revision itself when it is a commit hash, else the content of
    /// <c>refs/{revision}</c>; null when the ref is absent. Throws naming the file when a ref holds no commit hash.
    /// </summary>
    public static string? TryResolveCommit(string repoFolder, string revision)
    {
        if (IsCommitHash(revision)) return revision;
        string refFile = RefPath(repoFolder, revision);
        if (!File.Exists(refFile)) return null;
        string commit = File.ReadAllText(refFile).Trim();
        if (!IsCommitHash(commit))
            throw new InvalidModelFileException(refFile, $"expected a 40-character commit hash, found '{Shorten(commit)}'");
        return commit;
    }

    /// <summary>
    /// The snapshot folder of <paramref name="revision"/> (default main) in the first root that has it, or null.
    /// Without an explicit revision and without refs/main, a cache entry holding exactly one snapshot is used.
    /// </summary>
    public static string? TryFindSnapshot(IEnumerable<string> roots, string repoId, HubRepoType type, string? revision)
    {
        foreach (var root in roots)
        {
            string folder = RepoFolder(root, repoId, type);
            if (!Directory.Exists(Path.Combine(folder, "snapshots"))) continue;
            string? commit = TryResolveCommit(folder, revision ?? "main");
            if (commit is null && revision is null && Directory.GetDirectories(Path.Combine(folder, "snapshots")) is [var only])
                return only;
            if (commit is not null && Directory.Exists(SnapshotFolder(folder, commit))) return SnapshotFolder(folder, commit);
        }
        return null;
    }

    /// <summary>The cached file <paramref name="pathInRepo"/> at <paramref name="revision"/> in the first root that has it, or null.</summary>
    public static string? TryFindFile(IEnumerable<string> roots, string repoId, HubRepoType type, string pathInRepo, string? revision)
    {
        ValidatePathInRepo(pathInRepo);
        foreach (var root in roots)
        {
            string? snapshot = TryFindSnapshot([root], repoId, type, revision);
            if (snapshot is null) continue;
            string file = Path.Combine(snapshot, Path.Combine(pathInRepo.Split('/')));
            if (File.Exists(file)) return file; // false for a dangling symlink
        }
        return null;
    }

    /// <summary>HF_HOME: <c>$HF_HOME</c>, else <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>.</summary>
    public static string HfHome(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        if (NonEmpty(getEnv("HF_HOME")) is { } home) return ExpandHome(home, getEnv);
        if (NonEmpty(getEnv("XDG_CACHE_HOME")) is { } xdg) return Path.Combine(ExpandHome(xdg, getEnv), "huggingface");
        return Path.Combine(UserHome(getEnv), ".cache", "huggingface");
    }

    /// <summary>The cache root huggingface_hub writes to (<c>constants.HF_HUB_CACHE</c>).</summary>
    public static string DefaultCacheRoot(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        if (NonEmpty(getEnv("HF_HUB_CACHE")) is { } cache) return ExpandHome(cache, getEnv);
        if (NonEmpty(getEnv("HUGGINGFACE_HUB_CACHE")) is { } legacy) return ExpandHome(legacy, getEnv);
        return Path.Combine(HfHome(getEnv), "hub");
    }

    /// <summary>
    /// Every cache root worth searching, most specific first: $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub,
    /// $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub.
    /// </summary>
    public static IReadOnlyList<string> SearchRoots(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        var result = new List<string>();
        if (NonEmpty(getEnv("HF_HUB_CACHE")) is { } cache) result.Add(ExpandHome(cache, getEnv));
        if (NonEmpty(getEnv("HUGGINGFACE_HUB_CACHE")) is { } legacy) result.Add(ExpandHome(legacy, getEnv));
        if (NonEmpty(getEnv("HF_HOME")) is { } home) result.Add(Path.Combine(ExpandHome(home, getEnv), "hub"));
        if (NonEmpty(getEnv("XDG_CACHE_HOME")) is { } xdg) result.Add(Path.Combine(ExpandHome(xdg, getEnv), "huggingface", "hub"));
        string user = UserHome(getEnv);
        if (user.Length > 0) result.Add(Path.Combine(user, ".cache", "huggingface", "hub"));
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    static string UserHome(Func<string, string?> getEnv) =>
        NonEmpty(getEnv("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string ExpandHome(string path, Func<string, string?> getEnv) =>
        path == "~" ? UserHome(getEnv) : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(getEnv), path[2..]) : path;

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    static string CheckCommit(string commit) =>
        IsCommitHash(commit) ? commit : throw new CircuitInsightsException($"'{Shorten(commit)}' is not a 40-character commit hash");

    static string CheckEtag(string etag) =>
        EtagName().IsMatch(etag) ? etag : throw new CircuitInsightsException($"ETag '{Shorten(etag)}' cannot name a cache blob (expected letters, digits, '-', '_' or '.')");

    internal static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"^[A-Za-z0-9._/-]{1,200}$")]
    private static partial Regex SafeRef();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")]
    private static partial Regex RepoId();

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex EtagName();
}
