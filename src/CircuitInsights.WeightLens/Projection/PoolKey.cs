using System.Runtime.CompilerServices;

namespace CircuitInsights.WeightLens.Projection;

/// <summary>
/// A (value, row) pool entry packed into one 64-bit key whose ascending order is the pool's "better first" order:
/// high 32 bits = the value mapped to an order-preserving unsigned integer (complemented for top pools, so larger values
/// come first), low 32 bits = the row (ties go to the lower row). −0 is stored as +0.
/// </summary>
internal static class PoolKey
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Encode(float value, int row, bool largest)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value + 0f); // −0 + 0 = +0
        uint sign = (uint)((int)bits >> 31);                     // all ones for negative values
        uint ordered = bits ^ (sign | 0x8000_0000u) ^ (largest ? 0xFFFF_FFFFu : 0u); // monotone in value (reversed for top pools)
        return ((ulong)ordered << 32) | (uint)row;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Value(ulong key, bool largest)
    {
        uint ordered = (uint)(key >> 32);
        if (largest) ordered = ~ordered;
        uint bits = (ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Row(ulong key) => (int)(uint)key;

    /// <summary>Rearranges <paramref name="keys"/> so that its <paramref name="k"/> smallest entries come first, with the
    /// k-th smallest at index k−1 (quickselect; the pivot is the median of three pseudo-randomly placed entries, because
    /// the buffers it runs on are partly ordered by earlier selections; keys are distinct because rows are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SelectSmallest(Span<ulong> keys, int k)
    {
        if (k <= 0 || k >= keys.Length) return;
        int lo = 0, hi = keys.Length - 1, target = k - 1, rounds = 0;
        uint state = 0x9E3779B9u ^ (uint)keys.Length;
        while (hi > lo)
        {
            if (hi - lo < 16 || ++rounds > 64)
            {
                keys[lo..(hi + 1)].Sort();
                return;
            }
            int span = hi - lo + 1;
            int a = lo + (int)(Next(ref state) % (uint)span), b = lo + (int)(Next(ref state) % (uint)span), c = lo + (int)(Next(ref state) % (uint)span);
            ulong ka = keys[a], kb = keys[b], kc = keys[c];
            int m = ka < kb ? (kb < kc ? b : (ka < kc ? c : a)) : (ka < kc ? a : (kb < kc ? c : b));
            Swap(keys, m, hi); // median as pivot at hi
            ulong pivot = keys[hi];
            int store = lo;
            for (int i = lo; i < hi; i++)
                if (keys[i] < pivot) Swap(keys, i, store++);
            Swap(keys, store, hi);
            if (store == target) return;
            if (target < store) hi = store - 1; else lo = store + 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Next(ref uint x)
    {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Swap(Span<ulong> keys, int i, int j) => (keys[i], keys[j]) = (keys[j], keys[i]);
}
