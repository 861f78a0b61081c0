using System.Text.Json;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>Whether two caches were made with options that allow resuming one with the other or merging them.</summary>
public static class CacheOptionsComparer
{
    public static bool SameRun(CacheOptions a, CacheOptions b) =>
        JsonSerializer.Serialize(a.Canonical() with { Layers = a.Layers.Distinct().Order().ToArray() }) ==
        JsonSerializer.Serialize(b.Canonical() with { Layers = b.Layers.Distinct().Order().ToArray() });
}
