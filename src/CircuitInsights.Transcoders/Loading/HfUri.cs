using CircuitInsights.Formats;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// <c>hf://org/name/path/in/repo?revision=rev</c> (circuit-tracer's transcoder URIs), resolved to a file of the local
/// Hugging Face cache snapshot.
/// </summary>
public static class HfUri
{
    public static bool IsHfUri(string s) => s.StartsWith("hf://", StringComparison.Ordinal);

    public static (string RepoId, string PathInRepo, string? Revision) Parse(string uri)
    {
        if (!IsHfUri(uri)) throw new CircuitInsightsException($"'{uri}' is not an hf:// URI");
        string rest = uri[5..];
        string? revision = null;
        int q = rest.IndexOf('?');
        if (q >= 0)
        {
            foreach (var kv in rest[(q + 1)..].Split('&'))
                if (kv.StartsWith("revision=", StringComparison.Ordinal)) revision = Uri.UnescapeDataString(kv[9..]);
            rest = rest[..q];
        }
        var parts = rest.Split('/', 3);
        if (parts.Length < 3 || parts.Any(p => p.Length == 0)) throw new CircuitInsightsException($"'{uri}': expected hf://org/name/path[?revision=…]");
        return ($"{parts[0]}/{parts[1]}", parts[2], revision);
    }

    /// <summary>Local path of the file in the hub cache; a clear error when it has not been downloaded.</summary>
    public static string ResolveLocal(string uri) => ResolveLocal(uri, null);

    /// <summary>Local path of the file in the hub cache under <paramref name="hubCaches"/> (null = default roots).</summary>
    public static string ResolveLocal(string uri, IReadOnlyList<string>? hubCaches)
    {
        var (repo, path, revision) = Parse(uri);
        if (path.Replace('\\', '/').Split('/').Contains(".."))
            throw new CircuitInsightsException($"{uri}: path must not contain '..'");
        ModelDirectory dir;
        try
        {
            dir = ModelDirectory.Resolve(repo, revision, hubCaches);
        }
        catch (CircuitInsightsException e)
        {
            throw new CircuitInsightsException($"{uri}: not in the local Hugging Face cache ({e.Message})", e);
        }
        string full = Path.Combine(dir.Path, path);
        return File.Exists(full) ? full : throw new CircuitInsightsException($"{uri}: file '{path}' is not in the cached snapshot {dir.Path}");
    }
}
