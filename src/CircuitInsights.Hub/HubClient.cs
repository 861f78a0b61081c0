using System.Net.Http.Headers;
using System.Text.Json;
using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// A Hugging Face hub client that reads and writes huggingface_hub's cache (<see cref="HubCacheLayout"/>), following
/// <c>hf_hub_download</c> and <c>snapshot_download</c> (file_download.py, _snapshot_download.py):
/// <list type="number">
/// <item>a commit revision whose file is already in <c>snapshots/</c> is answered without the network;</item>
/// <item>otherwise <c>HEAD {endpoint}/[datasets/]{repo}/resolve/{revision}/{path}</c> gives commit, ETag, size and
/// location (a CDN redirect is not followed by the HEAD, and the token is not sent to it);</item>
/// <item><c>refs/{revision}</c> is written, then the pointer is returned if present, linked if its blob is present, or the
/// blob is downloaded (<see cref="BlobDownloader"/>) under a lock and linked;</item>
/// <item>when the hub cannot be reached (connection errors, 5xx, 401/403) the cached file of the revision is used if
/// there is one, as huggingface_hub does; 404s are raised. With <see cref="HubClientOptions.Offline"/> only the cache
/// is used.</item>
/// </list>
/// Snapshots list the repo with <c>GET {endpoint}/api/{models|datasets}/{repo}/revision/{revision}</c> (<c>sha</c>,
/// <c>siblings</c>), keep the files matching the allow patterns (<see cref="RepoFilePatterns"/>), and download each at
/// the listed commit. All methods throw <see cref="HubException"/> (one line) on failure.
/// </summary>
public sealed class HubClient : IDisposable
{
    const long MaxApiResponseBytes = 64L << 20;
    readonly HubHttp http;
    readonly BlobDownloader downloader;

    public HubClient(HubClientOptions? options = null)
    {
        Options = options ?? HubClientOptions.FromEnvironment();
        if (!Uri.TryCreate(Options.Endpoint, UriKind.Absolute, out var ep) || (ep.Scheme != Uri.UriSchemeHttp && ep.Scheme != Uri.UriSchemeHttps))
            throw new CircuitInsightsException($"hub endpoint '{Options.Endpoint}' is not an http(s) URL (check HF_ENDPOINT)");
        http = new HubHttp(Options);
        downloader = new BlobDownloader(http, Options);
    }

    public HubClientOptions Options { get; }

    /// <summary>The cache folder of a repo (<c>{cache}/models--org--name</c>).</summary>
    public string RepoFolder(string repoId, HubRepoType repoType = HubRepoType.Model) => HubCacheLayout.RepoFolder(Options.CacheDir, repoId, repoType);

    /// <summary><c>{endpoint}/[datasets/]{repo}/resolve/{revision}/{path}</c> with the revision fully escaped and the path per segment.</summary>
    public Uri ResolveUrl(string repoId, string pathInRepo, string revision, HubRepoType repoType = HubRepoType.Model) =>
        new(http.Endpoint, $"{(repoType == HubRepoType.Dataset ? "datasets/" : "")}{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', pathInRepo.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary><c>{endpoint}/api/{models|datasets}/{repo}/revision/{revision}</c>.</summary>
    public Uri RepoInfoUrl(string repoId, string revision, HubRepoType repoType = HubRepoType.Model) =>
        new(http.Endpoint, $"api/{repoType.Plural()}/{repoId}/revision/{Uri.EscapeDataString(revision)}");

    public HubRepoInfo GetRepoInfo(string repoId, string? revision = null, HubRepoType repoType = HubRepoType.Model) =>
        GetRepoInfoAsync(repoId, revision, repoType).GetAwaiter().GetResult();

    /// <summary>The commit a revision points to and the repo's files.</summary>
    public async Task<HubRepoInfo> GetRepoInfoAsync(string repoId, string? revision = null, HubRepoType repoType = HubRepoType.Model, CancellationToken ct = default)
    {
        string rev = Check(repoId, revision);
        ThrowIfOffline($"list {repoType.Name()} repo {repoId}");
        var url = RepoInfoUrl(repoId, rev, repoType);
        using var response = await http.SendAsync(HttpMethod.Get, url, RedirectPolicy.All, 0, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw HubErrors.FromResponse(response, http.Endpoint, repoId, repoType, rev, null, Options.Token is not null);
        if (response.Content.Headers.ContentLength > MaxApiResponseBytes)
            throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)}: repo listing is larger than {MaxApiResponseBytes >> 20} MiB");
        byte[] body;
        try
        {
            body = await ReadLimitedAsync(response.Content, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (HubHttp.IsTransient(e, ct))
        {
            throw new HubException(HubErrorKind.Network, $"{HubHttp.Show(url)}: connection lost while reading the repo listing ({HubHttp.Describe(e)})", e);
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? sha = root.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (!HubCacheLayout.IsCommitHash(sha))
                throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)}: listing has no 40-hex 'sha' commit (found '{sha}')");
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
                throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)}: listing has no 'siblings' array");
            var files = new List<string>();
            foreach (var item in siblings.EnumerateArray())
            {
                string? name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("rfilename", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                if (name is null) throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)}: a sibling has no 'rfilename'");
                HubCacheLayout.ValidatePathInRepo(name);
                files.Add(name);
            }
            return new HubRepoInfo(repoId, repoType, rev, sha!, files);
        }
        catch (JsonException e)
        {
            throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)}: repo listing is not valid JSON ({e.Message})", e);
        }
    }

    public HubFileMetadata GetFileMetadata(string repoId, string pathInRepo, string? revision = null, HubRepoType repoType = HubRepoType.Model) =>
        GetFileMetadataAsync(repoId, pathInRepo, revision, repoType).GetAwaiter().GetResult();

    /// <summary>HEAD of the file's resolve URL: commit, ETag, size and download location.</summary>
    public async Task<HubFileMetadata> GetFileMetadataAsync(string repoId, string pathInRepo, string? revision = null, HubRepoType repoType = HubRepoType.Model, CancellationToken ct = default)
    {
        string rev = Check(repoId, revision);
        HubCacheLayout.ValidatePathInRepo(pathInRepo);
        ThrowIfOffline($"look up {pathInRepo} in {repoId}");
        var url = ResolveUrl(repoId, pathInRepo, rev, repoType);
        using var response = await http.SendAsync(HttpMethod.Head, url, RedirectPolicy.RelativeOnly, 0, ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (status is < 200 or > 399)
        {
            var error = HubErrors.FromResponse(response, http.Endpoint, repoId, repoType, rev, pathInRepo, Options.Token is not null);
            if (error.Kind == HubErrorKind.NotFound && Header(response.Headers, "X-Repo-Commit") is { } missingAt && HubCacheLayout.IsCommitHash(missingAt)
                && Header(response.Headers, "X-Error-Code") == "EntryNotFound")
            {
                string folder = RepoFolder(repoId, repoType);
                HubCacheWriter.MarkMissing(folder, missingAt, pathInRepo);
                HubCacheWriter.WriteRef(folder, rev, missingAt);
            }
            throw error;
        }
        string? commit = Header(response.Headers, "X-Repo-Commit");
        if (!HubCacheLayout.IsCommitHash(commit))
            throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)} did not send an X-Repo-Commit commit hash; is {Options.Endpoint} a Hugging Face hub?");
        string? etag = NormalizeEtag(Header(response.Headers, "X-Linked-Etag") ?? Header(response.Headers, "ETag"));
        if (etag is null) throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)} did not send an ETag");
        string? sizeText = Header(response.Headers, "X-Linked-Size");
        long? size = long.TryParse(sizeText, out long linked) ? linked : response.Content.Headers.ContentLength;
        if (size is not long bytes || bytes < 0) throw new HubException(HubErrorKind.Protocol, $"{HubHttp.Show(url)} did not send the file size (X-Linked-Size or Content-Length)");
        Uri location = status is >= 300 and <= 399 && response.Headers.Location is { } loc ? (loc.IsAbsoluteUri ? loc : new Uri(url, loc))
            : response.RequestMessage?.RequestUri ?? url;
        return new HubFileMetadata(commit!, etag, bytes, location);
    }

    /// <summary>Local path of one file (a snapshot pointer), downloading it if needed (huggingface_hub <c>hf_hub_download</c>).</summary>
    public string DownloadFile(string repoId, string pathInRepo, string? revision = null, HubRepoType repoType = HubRepoType.Model, IProgress<DownloadProgress>? progress = null) =>
        DownloadFileAsync(repoId, pathInRepo, revision, repoType, progress).GetAwaiter().GetResult();

    public Task<string> DownloadFileAsync(string repoId, string pathInRepo, string? revision = null, HubRepoType repoType = HubRepoType.Model,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default) =>
        DownloadFileCoreAsync(repoId, pathInRepo, Check(repoId, revision), repoType, progress, 0, 1, ct);

    /// <summary>
    /// Local snapshot folder of a repo with every file matching <paramref name="allowPatterns"/> (all files when null),
    /// downloading what is missing (huggingface_hub <c>snapshot_download</c>).
    /// </summary>
    public string SnapshotDownload(string repoId, string? revision = null, IReadOnlyList<string>? allowPatterns = null, HubRepoType repoType = HubRepoType.Model,
        IProgress<DownloadProgress>? progress = null) =>
        SnapshotDownloadAsync(repoId, revision, allowPatterns, repoType, progress).GetAwaiter().GetResult();

    public async Task<string> SnapshotDownloadAsync(string repoId, string? revision = null, IReadOnlyList<string>? allowPatterns = null,
        HubRepoType repoType = HubRepoType.Model, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        string rev = Check(repoId, revision);
        string folder = RepoFolder(repoId, repoType);
        HubRepoInfo info;
        try
        {
            info = await GetRepoInfoAsync(repoId, rev, repoType, ct).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind is HubErrorKind.Offline or HubErrorKind.Network or HubErrorKind.Gated or HubErrorKind.Protocol)
        {
            if (HubCacheLayout.TryResolveCommit(folder, rev) is { } commit && Directory.Exists(HubCacheLayout.SnapshotFolder(folder, commit)))
                return HubCacheLayout.SnapshotFolder(folder, commit);
            if (e.Kind == HubErrorKind.Offline)
                throw new HubException(HubErrorKind.Offline, $"offline mode (HF_HUB_OFFLINE) is on and {repoType.Name()} repo {repoId} at revision '{rev}' is not in the hub cache {Options.CacheDir}; download it while online first");
            throw;
        }
        var files = RepoFilePatterns.Filter(info.Files, allowPatterns).ToList();
        return await DownloadFilesAsync(info, files, allowPatterns, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Downloads the given files of a listed repo at its commit; returns the snapshot folder.</summary>
    public async Task<string> DownloadFilesAsync(HubRepoInfo info, IReadOnlyList<string> files, IReadOnlyList<string>? patternsForMessages = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        if (files.Count == 0)
            throw new HubException(HubErrorKind.NotFound, patternsForMessages is { Count: > 0 }
                ? $"no file of {info.RepoType.Name()} repo {info.RepoId} matches {string.Join(", ", patternsForMessages.Select(p => $"'{p}'"))} ({info.Files.Count} files at revision '{info.Revision}')"
                : $"{info.RepoType.Name()} repo {info.RepoId} has no files at revision '{info.Revision}'");
        string folder = RepoFolder(info.RepoId, info.RepoType);
        HubCacheWriter.WriteRef(folder, info.Revision, info.Commit);
        for (int i = 0; i < files.Count; i++)
            await DownloadFileCoreAsync(info.RepoId, files[i], info.Commit, info.RepoType, progress, i, files.Count, ct).ConfigureAwait(false);
        string snapshot = HubCacheLayout.SnapshotFolder(folder, info.Commit);
        Directory.CreateDirectory(snapshot);
        return snapshot;
    }

    async Task<string> DownloadFileCoreAsync(string repoId, string pathInRepo, string rev, HubRepoType repoType,
        IProgress<DownloadProgress>? progress, int index, int count, CancellationToken ct)
    {
        HubCacheLayout.ValidatePathInRepo(pathInRepo);
        string folder = RepoFolder(repoId, repoType);
        if (HubCacheLayout.IsCommitHash(rev) && HubCacheLayout.PointerPath(folder, rev, pathInRepo) is var direct && File.Exists(direct)) return direct;

        HubFileMetadata meta;
        try
        {
            meta = await GetFileMetadataAsync(repoId, pathInRepo, rev, repoType, ct).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind is HubErrorKind.Offline or HubErrorKind.Network or HubErrorKind.Gated or HubErrorKind.Protocol)
        {
            if (HubCacheLayout.TryResolveCommit(folder, rev) is { } commit && HubCacheLayout.PointerPath(folder, commit, pathInRepo) is var cached && File.Exists(cached))
                return cached;
            if (e.Kind == HubErrorKind.Offline)
                throw new HubException(HubErrorKind.Offline, $"offline mode (HF_HUB_OFFLINE) is on and {pathInRepo} of {repoType.Name()} repo {repoId} at revision '{rev}' is not in the hub cache {Options.CacheDir}; download it while online first");
            throw;
        }

        string blob = HubCacheLayout.BlobPath(folder, meta.Etag);
        string pointer = HubCacheLayout.PointerPath(folder, meta.Commit, pathInRepo);
        HubCacheWriter.WriteRef(folder, rev, meta.Commit);
        if (File.Exists(pointer)) return pointer;
        using (await CacheLock.AcquireAsync(HubCacheLayout.LockPath(Options.CacheDir, repoId, repoType, meta.Etag), Options.LockTimeout, ct).ConfigureAwait(false))
        {
            if (!File.Exists(blob))
            {
                string display = pathInRepo;
                await downloader.DownloadAsync(meta.Location, blob, meta.Etag, meta.Size, $"{repoId}/{pathInRepo}",
                    r => r.RequestMessage?.RequestUri is { } at && !http.IsHubHost(at)
                        ? new HubException(HubErrorKind.Network, $"download server {at.Authority} answered HTTP {(int)r.StatusCode} for {repoId}/{pathInRepo} (signed download links expire); try again")
                        : HubErrors.FromResponse(r, http.Endpoint, repoId, repoType, rev, pathInRepo, Options.Token is not null),
                    (done, rate, completed) => progress?.Report(new DownloadProgress(display, done, meta.Size, rate, index, count, completed)),
                    ct).ConfigureAwait(false);
                progress?.Report(new DownloadProgress(display, meta.Size, meta.Size, 0, index, count, true));
            }
            if (!File.Exists(pointer)) HubCacheWriter.CreatePointer(blob, pointer);
        }
        return pointer;
    }

    string Check(string repoId, string? revision)
    {
        HubCacheLayout.ValidateRepoId(repoId);
        return HubCacheLayout.ValidateRevision(revision ?? "main");
    }

    void ThrowIfOffline(string what)
    {
        if (Options.Offline) throw new HubException(HubErrorKind.Offline, $"offline mode (HF_HUB_OFFLINE) is on: cannot {what}");
    }

    /// <summary>ETag without a weak prefix and quotes (huggingface_hub <c>_normalize_etag</c>).</summary>
    public static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        string e = etag.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        e = e.Trim('"');
        return e.Length == 0 ? null : e;
    }

    static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > MaxApiResponseBytes) throw new HubException(HubErrorKind.Protocol, $"repo listing is larger than {MaxApiResponseBytes >> 20} MiB");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    public void Dispose() => http.Dispose();
}
