using System.Text.RegularExpressions;

namespace CircuitInsights.Formats;

/// <summary>
/// A model's files on disk, found from a local path or a Hugging Face hub id (offline; downloading is
/// CircuitInsights.Hub's job). Resolution:
/// (1) an existing directory named <c>models--org--name</c> (a hub cache entry) → <c>refs/&lt;revision or main&gt;</c>
/// → <c>snapshots/&lt;commit&gt;/</c>; (2) any other existing directory is used as is;
/// (3) <c>org/name[@revision]</c> is looked up as <c>models--org--name</c> in <c>$HF_HUB_CACHE</c>, <c>$HF_HOME/hub</c>
/// and <c>~/.cache/huggingface/hub</c>, in that order. A revision that is a 40-hex commit selects that snapshot
/// directly. Errors list every place searched.
/// </summary>
public sealed partial class ModelDirectory
{
    /// <summary>The directory holding the files (a snapshot folder for hub caches).</summary>
    public string Path { get; }
    /// <summary>The hub id (<c>org/name</c>) when resolved through a hub cache, else null.</summary>
    public string? RepoId { get; }
    /// <summary>The snapshot commit when resolved through a hub cache, else null.</summary>
    public string? Revision { get; }

    ModelDirectory(string path, string? repoId, string? revision)
    {
        Path = path; RepoId = repoId; Revision = revision;
    }

    /// <summary>Full path of <paramref name="fileName"/> in the directory, or null when absent.</summary>
    public string? TryGetFile(string fileName)
    {
        string p = System.IO.Path.Combine(Path, fileName);
        return File.Exists(p) ? p : null;
    }

    /// <summary>Full path of <paramref name="fileName"/>; throws naming the directory when absent.</summary>
    public string GetFile(string fileName) =>
        TryGetFile(fileName) ?? throw new InvalidModelFileException(System.IO.Path.Combine(Path, fileName), $"file not found in model directory{(RepoId is null ? "" : $" of {RepoId}")}");

    /// <summary>Hub cache roots searched for ids, from the environment: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub.</summary>
    public static IReadOnlyList<string> DefaultHubCaches(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        var result = new List<string>();
        if (getEnv("HF_HUB_CACHE") is { Length: > 0 } hubCache) result.Add(hubCache);
        if (getEnv("HF_HOME") is { Length: > 0 } hfHome) result.Add(System.IO.Path.Combine(hfHome, "hub"));
        string home = getEnv("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0) result.Add(System.IO.Path.Combine(home, ".cache", "huggingface", "hub"));
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Resolves a local directory, a hub cache folder or a hub id (<c>org/name[@revision]</c>).</summary>
    /// <param name="revision">Branch, tag or commit; overrides an <c>@revision</c> suffix; default <c>main</c>.</param>
    /// <param name="hubCaches">Cache roots to search for ids (default: <see cref="DefaultHubCaches"/>).</param>
    public static ModelDirectory Resolve(string pathOrId, string? revision = null, IReadOnlyList<string>? hubCaches = null)
    {
        if (string.IsNullOrWhiteSpace(pathOrId)) throw new CircuitInsightsException("model path or hub id is empty");
        if (File.Exists(pathOrId))
            throw new InvalidModelFileException(pathOrId, "is a file; expected a model directory or a hub id such as org/name");
        if (Directory.Exists(pathOrId))
        {
            string full = System.IO.Path.GetFullPath(pathOrId).TrimEnd(System.IO.Path.DirectorySeparatorChar);
            string leaf = System.IO.Path.GetFileName(full);
            if (leaf.StartsWith("models--", StringComparison.Ordinal) && Directory.Exists(System.IO.Path.Combine(full, "snapshots")))
                return FromCacheEntry(full, IdFromCacheName(leaf), revision);
            return new ModelDirectory(full, null, null);
        }

        string id = pathOrId;
        int at = id.LastIndexOf('@');
        if (at > 0)
        {
            revision ??= id[(at + 1)..];
            id = id[..at];
        }
        if (!HubId().IsMatch(id))
            throw new CircuitInsightsException($"model '{pathOrId}' is neither an existing directory nor a hub id of the form org/name[@revision]");
        string folder = "models--" + id.Replace("/", "--");
        var roots = hubCaches ?? DefaultHubCaches();
        var searched = new List<string>();
        foreach (var root in roots)
        {
            string entry = System.IO.Path.Combine(root, folder);
            searched.Add(entry);
            if (Directory.Exists(System.IO.Path.Combine(entry, "snapshots"))) return FromCacheEntry(entry, id, revision);
        }
        throw new CircuitInsightsException($"model '{pathOrId}' was not found locally; searched: {(searched.Count == 0 ? "(no hub cache configured)" : string.Join(", ", searched))}. Download it first, or pass a local directory");
    }

    static ModelDirectory FromCacheEntry(string entry, string id, string? revision)
    {
        string rev = revision ?? "main";
        string snapshots = System.IO.Path.Combine(entry, "snapshots");
        string commit;
        if (CommitHash().IsMatch(rev)) commit = rev;
        else
        {
            if (!SafeRef().IsMatch(rev) || rev.Split('/').Any(p => p is "." or ".."))
                throw new CircuitInsightsException($"revision '{rev}' of {id} is not a valid branch, tag or commit name");
            string refFile = System.IO.Path.Combine(entry, "refs", rev);
            if (File.Exists(refFile))
            {
                commit = File.ReadAllText(refFile).Trim();
                if (!CommitHash().IsMatch(commit))
                    throw new InvalidModelFileException(refFile, $"expected a 40-character commit hash, found '{(commit.Length > 50 ? commit[..50] + "…" : commit)}'");
            }
            else
            {
                var all = Directory.GetDirectories(snapshots);
                if (revision is null && all.Length == 1) return new ModelDirectory(all[0], id, System.IO.Path.GetFileName(all[0]));
                throw new CircuitInsightsException($"revision '{rev}' of {id} is not in the hub cache: {refFile} does not exist ({all.Length} snapshot(s) in {snapshots})");
            }
        }
        string snapshot = System.IO.Path.Combine(snapshots, commit);
        if (!Directory.Exists(snapshot))
            throw new CircuitInsightsException($"revision '{rev}' of {id} points to commit {commit}, but {snapshot} does not exist (incomplete download?)");
        return new ModelDirectory(snapshot, id, commit);
    }

    static string IdFromCacheName(string leaf)
    {
        var parts = leaf["models--".Length..].Split("--");
        return string.Join("/", parts);
    }

    public override string ToString() => RepoId is null ? Path : $"{RepoId}@{Revision} ({Path})";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")]
    private static partial Regex HubId();

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex(@"^[A-Za-z0-9._/-]{1,200}$")]
    private static partial Regex SafeRef();
}
