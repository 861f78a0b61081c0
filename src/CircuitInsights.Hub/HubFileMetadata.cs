namespace CircuitInsights.Hub;

/// <summary>
/// What <c>HEAD {endpoint}/{repo}/resolve/{revision}/{path}</c> says about a file (huggingface_hub
/// <c>get_hf_file_metadata</c>): commit (<c>X-Repo-Commit</c>), normalised ETag (<c>X-Linked-Etag</c> or <c>ETag</c>,
/// without <c>W/</c> and quotes: a git blob sha1 or an LFS sha256), size (<c>X-Linked-Size</c> or
/// <c>Content-Length</c>) and where to download it (the redirect <c>Location</c>, e.g. a CDN, or the resolve URL).
/// </summary>
public sealed record HubFileMetadata(string Commit, string Etag, long Size, Uri Location);
