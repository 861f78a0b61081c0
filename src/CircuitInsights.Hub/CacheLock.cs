namespace CircuitInsights.Hub;

/// <summary>
/// Exclusive lock on <c>{cache}/.locks/{repo folder}/{etag}.lock</c> while a blob is downloaded. On Linux .NET takes
/// an advisory <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>, the same lock Python's filelock (used by
/// huggingface_hub) takes, so a C# and a Python process never write the same blob at once.
/// </summary>
internal static class CacheLock
{
    public static async Task<IDisposable> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow - started < timeout)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new HubException(HubErrorKind.Network, $"another process has been downloading into the hub cache for {timeout.TotalMinutes:G3} min (lock {path}); try again later or delete the lock file if no download is running", e);
            }
        }
    }
}
