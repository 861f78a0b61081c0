namespace CircuitInsights.Formats;

/// <summary>
/// Turns hub references into local paths, downloading what the local cache lacks. Formats defines the contract and
/// never touches the network itself; CircuitInsights.Hub implements it (<c>HubResolver</c>) and applications install it
/// with <see cref="HubResolution"/>. Every method returns a path inside a huggingface_hub-compatible cache
/// (<see cref="HubCacheLayout"/>) and throws <see cref="CircuitInsightsException"/> with one line on failure.
/// </summary>
public interface IHubResolver
{
    /// <summary>The snapshot folder of a model repo holding what a model load needs (config, tokenizer, weights).</summary>
    string ResolveModel(string repoId, string? revision);

    /// <summary>The local path of one file of a repo.</summary>
    string ResolveFile(string repoId, string pathInRepo, string? revision, HubRepoType repoType = HubRepoType.Model);

    /// <summary>The snapshot folder of a repo with every file matching one of <paramref name="allowPatterns"/> (fnmatch; null = all).</summary>
    string ResolveSnapshot(string repoId, string? revision, HubRepoType repoType = HubRepoType.Model, IReadOnlyList<string>? allowPatterns = null);
}
