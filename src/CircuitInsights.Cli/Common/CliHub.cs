using CircuitInsights.Formats;
using CircuitInsights.Hub;

namespace CircuitInsights.Cli.Common;

/// <summary>
/// Connects the CLI to the Hugging Face hub: installs (for one <see cref="CliApp.Run"/>) a resolver through which
/// <c>--model org/name</c> and <c>hf://</c> transcoder URIs are downloaded when the cache lacks them, configured from
/// the environment (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE/HF_HOME, HF_HUB_OFFLINE; see docs/hub.md). The client is
/// created on first use, so commands that never touch the hub do not read any of it.
/// </summary>
public sealed class CliHub : IHubResolver, IDisposable
{
    readonly CliIO io;
    readonly Func<HubClientOptions> options;
    readonly IDisposable scope;
    HubClient? client;
    DownloadProgressView? view;

    CliHub(CliIO io, Func<HubClientOptions> options)
    {
        this.io = io;
        this.options = options;
        scope = HubResolution.Use(this);
    }

    /// <summary>Installs the resolver for the current flow until disposed.</summary>
    public static CliHub Install(CliIO io, Func<HubClientOptions>? options = null) => new(io, options ?? (() => HubClientOptions.FromEnvironment()));

    /// <summary>Options from the environment, with command-line overrides.</summary>
    public static HubClientOptions Options(string? cacheDir, string? endpoint)
    {
        var o = HubClientOptions.FromEnvironment();
        if (!string.IsNullOrWhiteSpace(cacheDir)) o = o with { CacheDir = Path.GetFullPath(cacheDir) };
        if (!string.IsNullOrWhiteSpace(endpoint)) o = o with { Endpoint = endpoint.TrimEnd('/') };
        return o;
    }

    HubResolver Resolver()
    {
        client ??= new HubClient(options());
        view ??= new DownloadProgressView(io);
        return new HubResolver(client, view);
    }

    public string ResolveModel(string repoId, string? revision) => Run(() => Resolver().ResolveModel(repoId, revision));

    public string ResolveFile(string repoId, string pathInRepo, string? revision, HubRepoType repoType = HubRepoType.Model) =>
        Run(() => Resolver().ResolveFile(repoId, pathInRepo, revision, repoType));

    public string ResolveSnapshot(string repoId, string? revision, HubRepoType repoType = HubRepoType.Model, IReadOnlyList<string>? allowPatterns = null) =>
        Run(() => Resolver().ResolveSnapshot(repoId, revision, repoType, allowPatterns));

    string Run(Func<string> resolve)
    {
        try
        {
            return resolve();
        }
        finally
        {
            // close the live display before the command prints anything else
            view?.Dispose();
            view = null;
        }
    }

    public void Dispose()
    {
        scope.Dispose();
        view?.Dispose();
        client?.Dispose();
    }
}
