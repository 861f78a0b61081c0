namespace CircuitInsights.Models;

/// <summary>
/// A batch of token sequences, right-padded to a common length T. Causal attention means padding never influences real
/// positions; values at padded positions are computed but meaningless.
/// </summary>
public sealed class TokenBatch
{
    public int BatchSize { get; }
    /// <summary>Padded length (longest sequence).</summary>
    public int Positions { get; }
    public int[] Lengths { get; }
    /// <summary>Token ids, [B, T] row-major, padding filled with <see cref="PadId"/>.</summary>
    public int[] Ids { get; }
    public int PadId { get; }

    public TokenBatch(IReadOnlyList<int[]> sequences, int padId = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new CircuitInsightsException("empty batch: at least one sequence is required");
        BatchSize = sequences.Count;
        Lengths = sequences.Select(s => s.Length).ToArray();
        if (Lengths.Any(l => l == 0)) throw new CircuitInsightsException("empty token sequence in batch");
        Positions = Lengths.Max();
        PadId = padId;
        Ids = new int[BatchSize * Positions];
        Array.Fill(Ids, padId);
        for (int b = 0; b < BatchSize; b++) sequences[b].CopyTo(Ids, b * Positions);
    }

    public static TokenBatch Single(params int[] tokens) => new([tokens]);

    public ReadOnlySpan<int> Sequence(int b) => Ids.AsSpan(b * Positions, Lengths[b]);
}
