namespace CircuitInsights.Tensors;

/// <summary>
/// Refuses work whose estimated memory would not fit: checked before large allocations so a run fails at once with a
/// clear message instead of thrashing or being killed halfway. The limit is the memory available to the process
/// (container limits included, as .NET reports them) times <see cref="Fraction"/>; <c>CIRCUIT_INSIGHTS_MEMORY_LIMIT</c>
/// (bytes, or with a K/M/G suffix) overrides it.
/// </summary>
public static class MemoryGuard
{
    /// <summary>Share of the available memory a single request may take.</summary>
    public const double Fraction = 0.85;

    public static long AvailableBytes()
    {
        if (Environment.GetEnvironmentVariable("CIRCUIT_INSIGHTS_MEMORY_LIMIT") is { Length: > 0 } text) return ParseSize(text);
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>Throws when <paramref name="bytes"/> exceeds the allowed share of available memory.</summary>
    /// <param name="what">What would be allocated (e.g. "activation-cache sketches for 12 layers").</param>
    /// <param name="hint">How to make it smaller.</param>
    public static void Check(long bytes, string what, string hint)
    {
        long limit = (long)(AvailableBytes() * Fraction);
        if (bytes > limit)
            throw new CircuitInsightsException($"{what} needs about {Format(bytes)}, more than the {Format(limit)} this machine allows ({Fraction:P0} of available memory); {hint}");
    }

    public static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1L << 20):F0} MiB";

    static long ParseSize(string text)
    {
        text = text.Trim();
        long mult = 1;
        char last = char.ToUpperInvariant(text[^1]);
        if (last is 'K' or 'M' or 'G' or 'T')
        {
            mult = last switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L << 40 };
            text = text[..^1];
        }
        return long.TryParse(text, out long v) && v > 0 ? v * mult
            : throw new CircuitInsightsException($"CIRCUIT_INSIGHTS_MEMORY_LIMIT '{text}' is not a size (e.g. 8G)");
    }
}
