using System.CommandLine;

namespace CircuitInsights.Cli.Common;

/// <summary><c>--shard i/n</c>: which part of a deterministically partitioned job this process runs.</summary>
public static class ShardOption
{
    public static Option<string?> Create() => new("--shard") { Description = "Run part i of n (0-based, e.g. 0/4); merge the parts afterwards." };

    public static (int Index, int Count) Parse(string? text)
    {
        if (text is null) return (0, 1);
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 0 || i >= n)
            throw new CircuitInsightsException($"--shard '{text}': expected i/n with 0 ≤ i < n");
        return (i, n);
    }
}
