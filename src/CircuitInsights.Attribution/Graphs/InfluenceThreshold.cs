using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// circuit-tracer <c>find_threshold</c> (reference.md §3.1): the score s_i* where s = scores sorted descending,
/// C_i = (s_0 + … + s_i) / Σ s and i* = min{i : C_i ≥ threshold} (<c>searchsorted</c>), clamped to the last non-zero
/// score (so threshold 1.0 never cuts at 0); 0 when every score is 0. Keeping scores ≥ the result keeps the smallest
/// set of top scores that carries the requested share of the total.
/// <see cref="Find(ReadOnlySpan{float}, double)"/> sorts (the naive twin); <see cref="FindStreaming"/> gets the same
/// value from scores produced row by row in two radix passes over their float bits, with O(1) memory — for the N²
/// edge scores of a graph.
/// </summary>
public static class InfluenceThreshold
{
    /// <summary>Threshold over an explicit list of non-negative scores (sorting).</summary>
    public static float Find(ReadOnlySpan<float> scores, double threshold)
    {
        CheckThreshold(threshold);
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        double total = 0;
        int nonzero = 0;
        foreach (var s in sorted) { total += s; if (s > 0) nonzero++; }
        if (nonzero == 0) return 0f;
        double cumulative = 0;
        int index = sorted.Length;
        for (int i = 0; i < sorted.Length; i++)
        {
            cumulative += sorted[i];
            if (cumulative / total >= threshold) { index = i; break; }
        }
        return sorted[Math.Min(index, nonzero - 1)];
    }

    /// <summary>Fills <paramref name="destination"/> with the scores of row <paramref name="row"/> (negative values are not allowed).</summary>
    public delegate void RowScores(int row, Span<float> destination);

    /// <summary>
    /// Threshold over the scores of rows [0, <paramref name="rows"/>), each <paramref name="width"/> long, produced on
    /// demand by <paramref name="fill"/> (called twice per row, possibly from several threads; must be deterministic).
    /// Pass 1 histograms the high 16 bits of every positive score (count and fp64 sum per bucket) and finds the bucket
    /// where the cumulative share crosses the threshold; pass 2 resolves the exact value inside that bucket.
    /// </summary>
    public static float FindStreaming(int rows, int width, RowScores fill, double threshold)
    {
        CheckThreshold(threshold);
        var (count1, sum1) = Histogram(rows, width, fill, bucket: -1);
        double total = 0;
        long nonzero = 0;
        for (int b = 0; b < 65536; b++) { total += sum1[b]; nonzero += count1[b]; }
        if (nonzero == 0) return 0f;

        double before = 0;
        int hi = -1;
        for (int b = 65535; b >= 0; b--)
        {
            if (count1[b] == 0) continue;
            if ((before + sum1[b]) / total >= threshold) { hi = b; break; }
            before += sum1[b];
        }
        if (hi < 0) return SmallestPositive(count1, rows, width, fill); // rounding: the share never reached it → last non-zero

        var (count2, sum2) = Histogram(rows, width, fill, bucket: hi);
        int lowest = -1;
        for (int lo = 65535; lo >= 0; lo--)
        {
            if (count2[lo] == 0) continue;
            lowest = lo;
            if ((before + sum2[lo]) / total >= threshold) return FromBits(hi, lo);
            before += sum2[lo];
        }
        return FromBits(hi, lowest); // rounding between the passes: the bucket's smallest value
    }

    static float FromBits(int hi, int lo) => BitConverter.UInt32BitsToSingle(((uint)hi << 16) | (uint)lo);

    static float SmallestPositive(long[] count1, int rows, int width, RowScores fill)
    {
        int b = 0;
        while (count1[b] == 0) b++;
        var (count2, _) = Histogram(rows, width, fill, bucket: b);
        int lo = 0;
        while (count2[lo] == 0) lo++;
        return FromBits(b, lo);
    }

    /// <summary>Counts and sums of positive scores by the high 16 bits (bucket = −1) or, within high bucket
    /// <paramref name="bucket"/>, by the low 16 bits.</summary>
    static (long[] Count, double[] Sum) Histogram(int rows, int width, RowScores fill, int bucket)
    {
        int threads = Math.Max(1, Math.Min(ComputeSettings.Threads, rows));
        var counts = new long[threads][];
        var sums = new double[threads][];
        ParallelLoop.For(0, threads, t =>
        {
            var count = counts[t] = new long[65536];
            var sum = sums[t] = new double[65536];
            var buffer = new float[width];
            int r0 = (int)((long)rows * t / threads), r1 = (int)((long)rows * (t + 1) / threads);
            for (int r = r0; r < r1; r++)
            {
                fill(r, buffer);
                foreach (float s in buffer)
                {
                    if (!(s > 0)) { if (s < 0) throw new ArgumentException($"negative score {s} in row {r}"); continue; }
                    uint bits = BitConverter.SingleToUInt32Bits(s);
                    int h = (int)(bits >> 16);
                    if (bucket < 0) { count[h]++; sum[h] += s; }
                    else if (h == bucket) { int l = (int)(bits & 0xFFFF); count[l]++; sum[l] += s; }
                }
            }
        });
        // Merge in thread order (deterministic for a given thread count; bucket sums of equal values are exact anyway).
        for (int t = 1; t < threads; t++)
            for (int b = 0; b < 65536; b++) { counts[0][b] += counts[t][b]; sums[0][b] += sums[t][b]; }
        return (counts[0], sums[0]);
    }

    static void CheckThreshold(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1)) throw new CircuitInsightsException($"threshold must be between 0 and 1 (got {threshold})");
    }
}
