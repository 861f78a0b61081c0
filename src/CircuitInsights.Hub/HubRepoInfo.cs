using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// What <c>GET {endpoint}/api/{models|datasets}/{repo}/revision/{revision}</c> says about a repo: the commit the
/// revision points to (<c>sha</c>) and the repo's files (<c>siblings[].rfilename</c>).
/// </summary>
public sealed record HubRepoInfo(string RepoId, HubRepoType RepoType, string Revision, string Commit, IReadOnlyList<string> Files);

/// <summary>
/// What <c>HEAD {endpoint}/{repo}/resolve/{revision}/{path}</c> says about a file (huggingface_hub
/// <c>get_hf_file_metadata</c>): commit (<c>X-Repo-Commit</c>), normalised ETag (<c>X-Linked-Etag</c> or <c>ETag</c>,
/// without <c>W/</c> and quotes: a git blob sha1 or an LFS sha256), size (<c>X-Linked-Size</c> or
/// <c>Content-Length</c>) and where to download it (the redirect <c>Location</c>, e.g. a CDN, or the resolve URL).
/// </summary>
public sealed record HubFileMetadata(string Commit, string Etag, long Size, Uri Location);
