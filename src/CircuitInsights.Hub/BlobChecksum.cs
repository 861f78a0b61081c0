using System.Security.Cryptography;
using System.Text;
using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// Incremental check of a blob against its ETag: an LFS file's ETag is the sha256 of its content (64 hex); a git
/// file's ETag is its git blob id, sha1 of <c>"blob {size}\0"</c> followed by the content (40 hex). Other ETags
/// cannot be checked (only the size is).
/// </summary>
internal sealed class BlobChecksum : IDisposable
{
    readonly IncrementalHash? hash;
    readonly byte[] header;

    public BlobChecksum(string etag, long size)
    {
        Etag = etag;
        if (HubCacheLayout.IsSha256(etag)) { hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); header = []; Algorithm = "sha256"; }
        else if (HubCacheLayout.IsCommitHash(etag)) { hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1); header = Encoding.ASCII.GetBytes($"blob {size}\0"); Algorithm = "git-sha1"; }
        else { header = []; Algorithm = "none"; }
        Reset();
    }

    public string Etag { get; }
    /// <summary>sha256, git-sha1 or none.</summary>
    public string Algorithm { get; }
    public bool CanVerify => hash is not null;

    /// <summary>Starts over (the download restarted from byte 0).</summary>
    public void Reset()
    {
        if (hash is null) return;
        hash.GetHashAndReset();
        hash.AppendData(header);
    }

    public void Append(ReadOnlySpan<byte> data) => hash?.AppendData(data);

    /// <summary>Hashes the first <paramref name="length"/> bytes of a partial file (a resumed download).</summary>
    public void AppendFile(string path, long length)
    {
        if (hash is null || length == 0) return;
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        long left = length;
        while (left > 0)
        {
            int n = f.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new IOException($"{path} is shorter than {length} bytes");
            hash.AppendData(buffer, 0, n);
            left -= n;
        }
    }

    /// <summary>The lower-case hex digest of what was appended (null when the ETag cannot be checked).</summary>
    public string? Finish() => hash is null ? null : Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>The digest of a whole file in the ETag's scheme (tests, cache checks); null when the ETag cannot be checked.</summary>
    public static string? OfFile(string path, string etag)
    {
        long size = new FileInfo(path).Length;
        using var c = new BlobChecksum(etag, size);
        c.AppendFile(path, size);
        return c.Finish();
    }

    public void Dispose() => hash?.Dispose();
}
