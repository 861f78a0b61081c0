using System.Diagnostics;
using System.Net;

namespace CircuitInsights.Hub;

/// <summary>
/// Downloads one blob into <c>blobs/{etag}.incomplete</c>, resuming what is already there with <c>Range: bytes=N-</c>
/// (huggingface_hub <c>http_get</c>), retrying dropped connections with backoff (the retry count resets whenever bytes
/// arrive), then checks the size and the ETag checksum (<see cref="BlobChecksum"/>) and renames the file to
/// <c>blobs/{etag}</c>. A checksum or size mismatch deletes the file and downloads it once more from scratch; a second
/// mismatch is an <see cref="HubErrorKind.Integrity"/> error.
/// </summary>
internal sealed class BlobDownloader(HubHttp http, HubClientOptions options)
{
    const int BufferSize = 1 << 20;

    /// <param name="mapError">Turns an HTTP error response into the exception to throw.</param>
    /// <param name="report">Called with (bytes on disk, bytes/s, completed).</param>
    public async Task DownloadAsync(Uri location, string blobPath, string etag, long size, string displayName,
        Func<HttpResponseMessage, HubException> mapError, Action<long, double, bool> report, CancellationToken ct)
    {
        string incomplete = blobPath + ".incomplete";
        for (int pass = 0; ; pass++)
        {
            using var checksum = new BlobChecksum(etag, size);
            long written = await FetchAsync(location, incomplete, size, checksum, displayName, mapError, report, ct).ConfigureAwait(false);
            string? problem = written != size ? $"size {written} bytes, expected {size}"
                : checksum.Finish() is { } digest && digest != etag ? $"{checksum.Algorithm} {digest}, expected {etag}" : null;
            if (problem is null)
            {
                File.Move(incomplete, blobPath, overwrite: true);
                return;
            }
            TryDelete(incomplete);
            if (pass >= 1)
                throw new HubException(HubErrorKind.Integrity, $"{displayName}: downloaded content does not match the hub's ETag twice ({problem}); the partial file was deleted, nothing was stored");
        }
    }

    /// <summary>Brings the partial file to <paramref name="size"/> bytes (or stops past it); returns the bytes on disk.</summary>
    async Task<long> FetchAsync(Uri location, string incomplete, long size, BlobChecksum checksum, string displayName,
        Func<HttpResponseMessage, HubException> mapError, Action<long, double, bool> report, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        await using var file = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        long have = file.Length;
        if (have > size) { file.SetLength(0); have = 0; }
        checksum.AppendFile(incomplete, have);
        file.Position = have;

        var buffer = new byte[BufferSize];
        var clock = Stopwatch.StartNew();
        long fetched = 0;
        TimeSpan? lastReport = null;
        int failures = 0;
        while (have < size)
        {
            long before = have;
            try
            {
                using var response = await http.SendAsync(HttpMethod.Get, location, RedirectPolicy.All, have, ct).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status == 416)
                {
                    // the server has no bytes past ours: the partial file is not a prefix of this blob
                    file.SetLength(0); have = 0; checksum.Reset();
                    throw new IOException("range not satisfiable; restarting from byte 0");
                }
                if (status is < 200 or > 299) throw mapError(response);
                if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
                {
                    // the server ignored the Range header and sends the whole file
                    file.SetLength(0); have = 0; checksum.Reset();
                }
                else if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From is long from && from != have)
                    throw new HubException(HubErrorKind.Protocol, $"{displayName}: asked for bytes from {have}, server sent a range from {from}");

                await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
                while (true)
                {
                    stall.CancelAfter(options.ReadTimeout);
                    int n;
                    try
                    {
                        n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no data for {options.ReadTimeout.TotalSeconds:G3} s", e);
                    }
                    if (n == 0) break;
                    await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    checksum.Append(buffer.AsSpan(0, n));
                    have += n;
                    fetched += n;
                    if (lastReport is not { } last || clock.Elapsed - last >= options.ProgressInterval)
                    {
                        lastReport = clock.Elapsed;
                        report(have, Rate(fetched, clock), false);
                    }
                    if (have > size) break; // more than announced: the size check fails and the blob is fetched again
                }
                if (have < size) throw new IOException($"connection closed after {have} of {size} bytes");
            }
            catch (Exception e) when (e is not HubException && HubHttp.IsTransient(e, ct))
            {
                if (have > before) failures = 0;
                if (++failures > options.MaxRetries)
                    throw new HubException(HubErrorKind.Network,
                        $"{displayName}: download interrupted {failures} times ({HubHttp.Describe(e)}); {have} of {size} bytes are kept in {incomplete} and the next attempt resumes from there", e);
                await file.FlushAsync(ct).ConfigureAwait(false);
                await http.DelayAsync(failures - 1, ct).ConfigureAwait(false);
            }
        }
        await file.FlushAsync(ct).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        report(have, Rate(fetched, clock), false);
        return have;
    }

    static double Rate(long bytes, Stopwatch clock) => clock.Elapsed.TotalSeconds > 0 ? bytes / clock.Elapsed.TotalSeconds : 0;

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
