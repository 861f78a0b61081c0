using CircuitInsights.Formats;

namespace CircuitInsights.Hub;

/// <summary>
/// Writes the parts of the cache layout (<see cref="HubCacheLayout"/>) that huggingface_hub writes: refs, snapshot
/// pointers as relative symlinks to blobs (file_download.py <c>_create_symlink</c>; a copy where symlinks are not
/// supported) and <c>.no_exist</c> markers.
/// </summary>
internal static class HubCacheWriter
{
    /// <summary>Records that <paramref name="revision"/> is <paramref name="commit"/> (nothing for a commit revision or an up-to-date ref).</summary>
    public static void WriteRef(string repoFolder, string revision, string commit)
    {
        if (revision == commit) return;
        string path = HubCacheLayout.RefPath(repoFolder, revision);
        if (File.Exists(path) && File.ReadAllText(path) == commit) return;
        AtomicFile.Write(path, s => s.Write(System.Text.Encoding.ASCII.GetBytes(commit)));
    }

    /// <summary>Makes <paramref name="pointerPath"/> a relative symlink to <paramref name="blobPath"/>, replacing what was there.</summary>
    public static void CreatePointer(string blobPath, string pointerPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(pointerPath))!;
        Directory.CreateDirectory(dir);
        File.Delete(pointerPath); // also removes a dangling symlink
        string relative = Path.GetRelativePath(dir, Path.GetFullPath(blobPath));
        try
        {
            File.CreateSymbolicLink(pointerPath, relative);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            if (File.Exists(pointerPath) && Path.GetFullPath(Path.Combine(dir, new FileInfo(pointerPath).LinkTarget ?? "")) == Path.GetFullPath(blobPath)) return;
            File.Copy(blobPath, pointerPath, overwrite: true);
        }
    }

    /// <summary>huggingface_hub's marker that <paramref name="pathInRepo"/> does not exist at <paramref name="commit"/>.</summary>
    public static void MarkMissing(string repoFolder, string commit, string pathInRepo)
    {
        try
        {
            string path = HubCacheLayout.NoExistPath(repoFolder, commit, pathInRepo);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (File.Open(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CircuitInsightsException)
        {
            // only a cache hint, as in huggingface_hub
        }
    }
}
