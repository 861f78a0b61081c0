using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// The network-capable <see cref="IHubResolver"/> that applications install with <see cref="HubResolution"/> so that
/// <c>ModelDirectory.Resolve("org/name")</c> and <c>hf://</c> transcoder URIs download what the cache lacks.
/// Cache first: a file or a complete model snapshot already in any searched cache root
/// (<see cref="HubCacheLayout.SearchRoots"/> plus the client's cache) is used without touching the network; only what
/// is missing is fetched with the <see cref="HubClient"/> (whose offline mode turns a miss into a clear error).
/// Snapshots of folders/whole repos are listed online (one API call) so that partial snapshots get completed.
/// </summary>
public sealed class HubResolver(HubClient client, IProgress<DownloadProgress>? progress = null, IReadOnlyList<string>? searchRoots = null) : IHubResolver
{
    IReadOnlyList<string> Roots => [client.Options.CacheDir, .. (searchRoots ?? HubCacheLayout.SearchRoots()).Where(r => r != client.Options.CacheDir)];

    public HubClient Client => client;

    public string ResolveModel(string repoId, string? revision)
    {
        HubCacheLayout.ValidateRepoId(repoId);
        if (HubCacheLayout.TryFindSnapshot(Roots, repoId, HubRepoType.Model, revision) is { } cached && ModelDirectory.HasModelFiles(cached))
            return cached;
        if (client.Options.Offline)
            throw new HubException(HubErrorKind.Offline, $"offline mode (HF_HUB_OFFLINE) is on and model {repoId}{(revision is null ? "" : "@" + revision)} is not complete in the hub cache (searched {string.Join(", ", Roots)}); download it while online first");
        HubRepoInfo info;
        try
        {
            info = client.GetRepoInfo(repoId, revision, HubRepoType.Model);
        }
        catch (HubException e) when (e.Kind is HubErrorKind.Network)
        {
            throw new HubException(e.Kind, $"model {repoId} is not in the hub cache and the hub cannot be reached: {e.Message}", e);
        }
        var files = ModelFileSelection.Select(info.Files);
        if (!files.Contains("config.json") || !ModelFileSelection.HasWeights(files))
            throw new HubException(HubErrorKind.NotFound, $"model repo {repoId} has no {(files.Contains("config.json") ? "weights (*.safetensors or pytorch_model*.bin)" : "config.json")} at its top level; it is not a transformers model");
        return client.DownloadFilesAsync(info, files, null, progress).GetAwaiter().GetResult();
    }

    public string ResolveFile(string repoId, string pathInRepo, string? revision, HubRepoType repoType = HubRepoType.Model)
    {
        HubCacheLayout.ValidateRepoId(repoId);
        if (HubCacheLayout.TryFindFile(Roots, repoId, repoType, pathInRepo, revision) is { } cached) return cached;
        return client.DownloadFile(repoId, pathInRepo, revision, repoType, progress);
    }

    public string ResolveSnapshot(string repoId, string? revision, HubRepoType repoType = HubRepoType.Model, IReadOnlyList<string>? allowPatterns = null)
    {
        HubCacheLayout.ValidateRepoId(repoId);
        if (client.Options.Offline && HubCacheLayout.TryFindSnapshot(Roots, repoId, repoType, revision) is { } cached) return cached;
        return client.SnapshotDownload(repoId, revision, allowPatterns, repoType, progress);
    }
}
