namespace CircuitInsights.Hub;

/// <summary>
/// Progress of one file download, reported through <see cref="IProgress{T}"/> at most every
/// <see cref="HubClientOptions.ProgressInterval"/> and once when the file is complete.
/// </summary>
/// <param name="File">Path in the repo.</param>
/// <param name="Downloaded">Bytes of the file on disk so far (including a resumed part).</param>
/// <param name="Total">File size, when the server announced it.</param>
/// <param name="BytesPerSecond">Rate of this transfer (bytes fetched now / seconds spent).</param>
/// <param name="FileIndex">0-based index of the file in a snapshot download (0 for a single file).</param>
/// <param name="FileCount">Files in the snapshot download (1 for a single file).</param>
/// <param name="Completed">True on the final report of the file (stored and verified).</param>
public readonly record struct DownloadProgress(string File, long Downloaded, long? Total, double BytesPerSecond, int FileIndex, int FileCount, bool Completed)
{
    /// <summary>Estimated time left, when the size and a rate are known.</summary>
    public TimeSpan? Eta => Total is long t && BytesPerSecond > 0 ? TimeSpan.FromSeconds(Math.Max(0, t - Downloaded) / BytesPerSecond) : null;
}
