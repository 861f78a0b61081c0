using System.Text.RegularExpressions;

namespace CircuitInsights.Formats;

/// <summary>
/// A model's files on disk, found from a local path or a Hugging Face hub id. Resolution:
/// (1) an existing directory named <c>models--org--name</c> (a hub cache entry) → <c>refs/&lt;revision or main&gt;</c>
/// → <c>snapshots/&lt;commit&gt;/</c>; (2) any other existing directory is used as is;
/// (3) <c>org/name[@revision]</c> is looked up as <c>models--org--name</c> in the roots of
/// <see cref="HubCacheLayout.SearchRoots"/> ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub, …), in that order.
/// A revision that is a 40-hex commit selects that snapshot directly. When the id is not cached (or its snapshot lacks
/// a config or weights, see <see cref="HasModelFiles"/>) and a resolver is installed (<see cref="HubResolution"/>,
/// implemented by CircuitInsights.Hub), the resolver downloads it; without one, errors list every place searched.
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

    /// <summary>Hub cache roots searched for ids (<see cref="HubCacheLayout.SearchRoots"/>).</summary>
    public static IReadOnlyList<string> DefaultHubCaches(Func<string, string?>? getEnv = null) => HubCacheLayout.SearchRoots(getEnv);

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
        string folder = HubCacheLayout.FolderName(id, HubRepoType.Model);
        var roots = hubCaches ?? DefaultHubCaches();
        var resolver = HubResolution.Current;
        var searched = new List<string>();
        foreach (var root in roots)
        {
            string entry = System.IO.Path.Combine(root, folder);
            searched.Add(entry);
            if (!Directory.Exists(System.IO.Path.Combine(entry, "snapshots"))) continue;
            if (resolver is null) return FromCacheEntry(entry, id, revision);
            try
            {
                var cached = FromCacheEntry(entry, id, revision);
                if (HasModelFiles(cached.Path)) return cached;
            }
            catch (CircuitInsightsException)
            {
                // revision not cached here: the resolver fetches it
            }
        }
        if (resolver is not null)
        {
            string snapshot = resolver.ResolveModel(id, revision);
            string name = System.IO.Path.GetFileName(snapshot.TrimEnd(System.IO.Path.DirectorySeparatorChar));
            return new ModelDirectory(snapshot, id, HubCacheLayout.IsCommitHash(name) ? name : revision);
        }
        throw new CircuitInsightsException($"model '{pathOrId}' was not found locally; searched: {(searched.Count == 0 ? "(no hub cache configured)" : string.Join(", ", searched))}. Download it first (circuit-insights download {id}), or pass a local directory");
    }

    /// <summary>
    /// Whether <paramref name="dir"/> holds a loadable model: config.json and weights (every shard named by
    /// model.safetensors.index.json / pytorch_model.bin.index.json, else some *.safetensors or pytorch_model*.bin).
    /// </summary>
    public static bool HasModelFiles(string dir)
    {
        if (!File.Exists(System.IO.Path.Combine(dir, "config.json"))) return false;
        foreach (var index in new[] { "model.safetensors.index.json", "pytorch_model.bin.index.json" })
        {
            string indexPath = System.IO.Path.Combine(dir, index);
            if (!File.Exists(indexPath)) continue;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(indexPath));
                if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != System.Text.Json.JsonValueKind.Object) return false;
                return map.EnumerateObject().Select(p => p.Value.GetString() ?? "").Distinct()
                    .All(shard => shard.Length > 0 && File.Exists(System.IO.Path.Combine(dir, shard)));
            }
            catch (System.Text.Json.JsonException)
            {
                return false;
            }
        }
        return Directory.EnumerateFiles(dir, "*.safetensors").Any(File.Exists) || Directory.EnumerateFiles(dir, "pytorch_model*.bin").Any(File.Exists);
    }

    static ModelDirectory FromCacheEntry(string entry, string id, string? revision)
    {
        string rev = revision ?? "main";
        string snapshots = System.IO.Path.Combine(entry, "snapshots");
        string commit;
        if (HubCacheLayout.IsCommitHash(rev)) commit = rev;
        else
        {
            try
            {
                HubCacheLayout.ValidateRevision(rev);
            }
            catch (CircuitInsightsException)
            {
                throw new CircuitInsightsException($"revision '{rev}' of {id} is not a valid branch, tag or commit name");
            }
            string? fromRef = HubCacheLayout.TryResolveCommit(entry, rev);
            if (fromRef is null)
            {
                var all = Directory.GetDirectories(snapshots);
                if (revision is null && all.Length == 1) return new ModelDirectory(all[0], id, System.IO.Path.GetFileName(all[0]));
                throw new CircuitInsightsException($"revision '{rev}' of {id} is not in the hub cache: {HubCacheLayout.RefPath(entry, rev)} does not exist ({all.Length} snapshot(s) in {snapshots})");
            }
            commit = fromRef;
        }
        string snapshot = System.IO.Path.Combine(snapshots, commit);
        if (!Directory.Exists(snapshot))
            throw new CircuitInsightsException($"revision '{rev}' of {id} points to commit {commit}, but {snapshot} does not exist (incomplete download?)");
        return new ModelDirectory(snapshot, id, commit);
    }

    static string IdFromCacheName(string leaf) => HubCacheLayout.ParseFolderName(leaf)?.RepoId ?? leaf;

    public override string ToString() => RepoId is null ? Path : $"{RepoId}@{Revision} ({Path})";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")]
    private static partial Regex HubId();

}
