using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// What <c>GET {endpoint}/api/{models|datasets}/{repo}/revision/{revision}</c> says about a repo: the commit the
/// revision points to (<c>sha</c>) and the repo's files (<c>siblings[].rfilename</c>).
/// </summary>
public sealed record HubRepoInfo(string RepoId, HubRepoType RepoType, string Revision, string Commit, IReadOnlyList<string> Files);
