using CircuitInsights.Formats;
using CircuitInsights.Testing.Hub;

namespace CircuitInsights.Hub.Tests;

/// <summary>
/// Lays out a cache entry by hand exactly as huggingface_hub's hf_hub_download leaves it on Linux
/// (file_download.py): blobs named by ETag, snapshot files as relative symlinks whose target is
/// "../" × (2 + folder depth) + "blobs/{etag}", refs without a trailing newline, empty lock files.
/// </summary>
public static class PythonCache
{
    public static string Lay(string root, string repoId, HubRepoType type, string commit, IReadOnlyDictionary<string, MockFile> files, params string[] refs)
    {
        string folder = Path.Combine(root, (type == HubRepoType.Dataset ? "datasets--" : "models--") + repoId.Replace("/", "--"));
        foreach (var (path, file) in files)
        {
            Directory.CreateDirectory(Path.Combine(folder, "blobs"));
            File.WriteAllBytes(Path.Combine(folder, "blobs", file.Etag), file.Content);
            string pointer = Path.Combine([folder, "snapshots", commit, .. path.Split('/')]);
            Directory.CreateDirectory(Path.GetDirectoryName(pointer)!);
            int depth = path.Count(c => c == '/');
            File.CreateSymbolicLink(pointer, string.Concat(Enumerable.Repeat("../", 2 + depth)) + "blobs/" + file.Etag);
            string lockDir = Path.Combine(root, ".locks", Path.GetFileName(folder));
            Directory.CreateDirectory(lockDir);
            File.WriteAllBytes(Path.Combine(lockDir, file.Etag + ".lock"), []);
        }
        foreach (var r in refs)
        {
            string refPath = Path.Combine([folder, "refs", .. r.Split('/')]);
            Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
            File.WriteAllText(refPath, commit);
        }
        return folder;
    }

    /// <summary>Every entry under <paramref name="root"/> as "path → kind:target-or-content-hash", sorted (for layout comparisons).</summary>
    public static List<string> Describe(string root)
    {
        var result = new List<string>();
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, entry.FullName);
            string what = entry.LinkTarget is { } target ? "link:" + target
                : entry is DirectoryInfo ? "dir"
                : "file:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(entry.FullName)));
            result.Add($"{rel} → {what}");
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
