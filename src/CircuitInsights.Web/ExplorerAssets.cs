using System.Reflection;

namespace CircuitInsights.Web;

/// <summary>
/// The explorer's static files, embedded in this assembly (wwwroot/*, no CDN, no build step). Requests are answered only
/// for names in this fixed table, so no request path ever reaches the file system (no traversal by construction).
/// </summary>
public static class ExplorerAssets
{
    const string Prefix = "CircuitInsights.Web.wwwroot.";

    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml", [".ico"] = "image/x-icon",
    };

    static readonly Lazy<IReadOnlyDictionary<string, (byte[] Bytes, string ContentType)>> All = new(Load);

    public static IReadOnlyCollection<string> Names => All.Value.Keys.ToArray();

    /// <summary>The asset with exactly this file name (e.g. "feature.js"), or null.</summary>
    public static (byte[] Bytes, string ContentType)? Find(string name) => All.Value.TryGetValue(name, out var a) ? a : null;

    static IReadOnlyDictionary<string, (byte[], string)> Load()
    {
        var asm = typeof(ExplorerAssets).Assembly;
        var map = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (string res in asm.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            string name = res[Prefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type)) continue;
            using var s = asm.GetManifestResourceStream(res)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            map[name] = (ms.ToArray(), type);
        }
        return map;
    }
}
