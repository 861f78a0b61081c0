using System.Text.Json.Serialization;

namespace CircuitInsights.Demo;

/// <summary>Micro-averaged precision and recall of found items against planted ones, pooled over features.</summary>
public sealed record SetRecovery(
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("found")] int Found,
    [property: JsonPropertyName("planted")] int Planted,
    [property: JsonPropertyName("correct")] int Correct)
{
    /// <summary>Pools (found, planted) pairs; an empty found set has precision 1 only when nothing was planted either.</summary>
    public static SetRecovery Of(IEnumerable<(IEnumerable<string> Found, IEnumerable<string> Planted)> items)
    {
        int correct = 0, found = 0, planted = 0;
        foreach (var (f, p) in items)
        {
            var fs = f.ToHashSet(StringComparer.Ordinal);
            var ps = p.ToHashSet(StringComparer.Ordinal);
            correct += fs.Count(ps.Contains);
            found += fs.Count;
            planted += ps.Count;
        }
        return new SetRecovery(found == 0 ? (planted == 0 ? 1 : 0) : correct / (double)found, planted == 0 ? 1 : correct / (double)planted, found, planted, correct);
    }

    public override string ToString() => $"precision {Precision:F2}, recall {Recall:F2} ({Correct}/{Planted} planted, {Found} found)";
}
