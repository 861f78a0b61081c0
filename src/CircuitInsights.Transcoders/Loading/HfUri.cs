using CircuitInsights.Formats;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// <c>hf://org/name/path/in/repo?revision=rev</c> (circuit-tracer's transcoder URIs; grammar in
/// <see cref="HubReference"/>), resolved to a file or folder of a local Hugging Face cache snapshot. The local caches
/// are searched first; what they lack is fetched through the installed hub resolver (<see cref="HubResolution"/>), or
/// reported as not downloaded when there is none.
/// </summary>
public static class HfUri
{
    public static bool IsHfUri(string s) => HubReference.IsHfUri(s);

    /// <summary>Repo id, path inside the repo and revision of a URI that names a file.</summary>
    public static (string RepoId, string PathInRepo, string? Revision) Parse(string uri)
    {
        var r = HubReference.ParseUri(uri);
        if (!r.IsFile) throw new CircuitInsightsException($"'{uri}': expected hf://org/name/path[?revision=…] naming a file");
        return (r.RepoId, r.PathInRepo, r.Revision);
    }

    /// <summary>Local path of the file (or folder, for <c>hf://org/name</c> and paths ending in '/') named by the URI.</summary>
    public static string ResolveLocal(string uri) => ResolveLocal(uri, null);

    /// <param name="hubCaches">Cache roots to search (default <see cref="HubCacheLayout.SearchRoots"/>).</param>
    public static string ResolveLocal(string uri, IReadOnlyList<string>? hubCaches)
    {
        var r = HubReference.ParseUri(uri);
        var roots = hubCaches ?? HubCacheLayout.SearchRoots();
        var resolver = HubResolution.Current;
        if (r.IsFile)
        {
            if (HubCacheLayout.TryFindFile(roots, r.RepoId, r.RepoType, r.PathInRepo, r.Revision) is { } cached) return cached;
            if (resolver is not null) return resolver.ResolveFile(r.RepoId, r.PathInRepo, r.Revision, r.RepoType);
            string? snapshot = HubCacheLayout.TryFindSnapshot(roots, r.RepoId, r.RepoType, r.Revision);
            throw new CircuitInsightsException(snapshot is null
                ? $"{uri}: not in the local Hugging Face cache (searched {string.Join(", ", roots)}); download it first (circuit-insights download {uri})"
                : $"{uri}: file '{r.PathInRepo}' is not in the cached snapshot {snapshot}; download it first (circuit-insights download {uri})");
        }

        string folder = r.Folder!;
        string? local = HubCacheLayout.TryFindSnapshot(roots, r.RepoId, r.RepoType, r.Revision);
        if (local is not null && (folder.Length == 0 || Directory.Exists(Path.Combine(local, folder))) && resolver is null)
            return Path.Combine(local, folder);
        if (resolver is not null)
        {
            string snapshot = resolver.ResolveSnapshot(r.RepoId, r.Revision, r.RepoType, folder.Length == 0 ? null : [folder + "/*"]);
            string full = Path.Combine(snapshot, folder);
            return Directory.Exists(full) ? full : throw new CircuitInsightsException($"{uri}: folder '{folder}' does not exist in {r.RepoId}");
        }
        throw new CircuitInsightsException($"{uri}: not in the local Hugging Face cache (searched {string.Join(", ", roots)}); download it first (circuit-insights download {uri})");
    }
}
