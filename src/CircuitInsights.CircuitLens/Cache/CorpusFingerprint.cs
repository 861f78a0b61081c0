using System.Security.Cryptography;
using System.Text;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>A cheap identity of a corpus (file names, sizes and modification times) to refuse resuming on changed data.</summary>
public static class CorpusFingerprint
{
    public static string Of(string path)
    {
        var sb = new StringBuilder();
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : File.Exists(path) ? [path] : throw new CircuitInsightsException($"{path}: corpus not found");
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            sb.Append(Path.GetRelativePath(Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!, f))
              .Append('|').Append(info.Length).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16].ToLowerInvariant();
    }
}
