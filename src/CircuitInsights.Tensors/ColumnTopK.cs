using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors;

/// <summary>
/// Streaming per-column top-k (or bottom-k) over row tiles of a [rows, columns] matrix that is never held whole — e.g.
/// the vocabulary × feature product W_E[V, D]·W_enc[D, F] of WeightLens, fed tile by tile from
/// <see cref="Gemm.MultiplyStreaming"/> (WeightLens top/bottom-1000 tokens per feature, reference.md §3.4). For each column it keeps the k best (value, row) pairs in a heap; a tile value
/// is first compared, 8 columns at a time, with the column's current k-th value, so most values are rejected cheaply.
/// Order: largest mode keeps the largest values, bottom mode the smallest; ties go to the lower row; NaN is ignored.
/// The kept set is independent of the order in which tiles arrive. Memory: Columns × K × 8 bytes.
/// <see cref="Add"/> may run concurrently for disjoint column ranges (and must not for overlapping ones).
/// </summary>
public sealed class ColumnTopK
{
    readonly float[] _keys;      // [Columns, K] heap per column, keys = value (largest) or −value (bottom); root = worst kept
    readonly int[] _rows;        // [Columns, K]
    readonly int[] _counts;      // [Columns]
    readonly float[] _threshold; // [Columns] key of the heap root once full, −∞ before

    public int Columns { get; }
    public int K { get; }
    /// <summary>True: keep the largest values; false: keep the smallest (bottom-k).</summary>
    public bool Largest { get; }

    public ColumnTopK(int columns, int k, bool largest = true)
    {
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), "columns must be non-negative");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        Columns = columns; K = k; Largest = largest;
        long size = (long)columns * k;
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(k), $"columns × k = {size} is too large");
        _keys = new float[size];
        _rows = new int[size];
        _counts = new int[columns];
        _threshold = new float[columns];
        Array.Fill(_threshold, float.NegativeInfinity);
    }

    /// <summary>
    /// Offers a tile: <paramref name="tile"/>[r*ld + c] is the value at row <paramref name="firstRow"/> + r and column
    /// <paramref name="firstColumn"/> + c, for r &lt; <paramref name="tileRows"/>, c &lt; <paramref name="columnCount"/>.
    /// </summary>
    public void Add(ReadOnlySpan<float> tile, int tileRows, int ld, int firstRow, int firstColumn, int columnCount)
    {
        if (tileRows < 0 || columnCount < 0 || firstRow < 0 || firstColumn < 0 || firstColumn + columnCount > Columns)
            throw new ArgumentOutOfRangeException(nameof(firstColumn), $"tile [{firstRow}+{tileRows}, {firstColumn}+{columnCount}] outside {Columns} columns");
        if (tileRows == 0 || columnCount == 0) return;
        if (ld < columnCount) throw new ArgumentException($"ld {ld} < column count {columnCount}", nameof(ld));
        if ((long)(tileRows - 1) * ld + columnCount > tile.Length) throw new ArgumentException($"tile has {tile.Length} values, needs [{tileRows}x{columnCount}] with ld {ld}", nameof(tile));

        ref float thr = ref MemoryMarshal.GetReference(_threshold.AsSpan(firstColumn, columnCount));
        var sign = Largest ? Vector256<float>.Zero : Vector256.Create(-0f); // xor flips the sign in bottom mode
        float signFlip = Largest ? 1f : -1f;
        for (int r = 0; r < tileRows; r++)
        {
            var row = tile.Slice(r * ld, columnCount);
            ref float t = ref MemoryMarshal.GetReference(row);
            int c = 0;
            for (; c + 8 <= columnCount; c += 8)
            {
                var keys = Vector256.LoadUnsafe(ref t, (nuint)c) ^ sign;
                uint mask = Vector256.GreaterThanOrEqual(keys, Vector256.LoadUnsafe(ref thr, (nuint)c)).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    Offer(firstColumn + c + bit, keys[bit], firstRow + r);
                }
            }
            for (; c < columnCount; c++)
            {
                float key = row[c] * signFlip;
                if (key >= _threshold[firstColumn + c]) Offer(firstColumn + c, key, firstRow + r);
            }
        }
    }

    /// <summary>Adds all entries kept by <paramref name="other"/> (same shape and mode) to this one.</summary>
    public void Merge(ColumnTopK other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Columns != Columns || other.K != K || other.Largest != Largest) throw new ArgumentException("ColumnTopK shapes or modes differ", nameof(other));
        for (int col = 0; col < Columns; col++)
            for (int i = 0; i < other._counts[col]; i++)
            {
                int at = col * K + i;
                if (other._keys[at] >= _threshold[col]) Offer(col, other._keys[at], other._rows[at]);
            }
    }

    /// <summary>Number of entries kept for <paramref name="column"/> (min(k, non-NaN values seen)).</summary>
    public int Count(int column) => _counts[column];

    /// <summary>The kept entries of <paramref name="column"/>, best first: descending values (ascending in bottom mode), ties by lower row.</summary>
    public (int[] Rows, float[] Values) Result(int column)
    {
        if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column));
        int n = _counts[column], start = column * K;
        var entries = new (float Key, int Row)[n];
        for (int i = 0; i < n; i++) entries[i] = (_keys[start + i], _rows[start + i]);
        Array.Sort(entries, (x, y) => x.Key > y.Key ? -1 : x.Key < y.Key ? 1 : x.Row.CompareTo(y.Row));
        var rows = new int[n];
        var values = new float[n];
        for (int i = 0; i < n; i++) { rows[i] = entries[i].Row; values[i] = Largest ? entries[i].Key : -entries[i].Key; }
        return (rows, values);
    }

    /// <summary>True when (k1, r1) ranks below (k2, r2): smaller key, or equal key and higher row.</summary>
    static bool Worse(float k1, int r1, float k2, int r2) => k1 < k2 || (k1 == k2 && r1 > r2);

    void Offer(int column, float key, int row)
    {
        int start = column * K, count = _counts[column];
        var keys = _keys.AsSpan(start, K);
        var rows = _rows.AsSpan(start, K);
        if (count < K)
        {
            // sift up a new leaf of the min-heap (root = worst)
            int i = count;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Worse(key, row, keys[parent], rows[parent])) break;
                keys[i] = keys[parent]; rows[i] = rows[parent];
                i = parent;
            }
            keys[i] = key; rows[i] = row;
            _counts[column] = ++count;
            if (count == K) _threshold[column] = keys[0];
            return;
        }
        if (!Worse(keys[0], rows[0], key, row)) return; // not better than the worst kept
        // replace the root and sift down
        int j = 0;
        while (true)
        {
            int child = 2 * j + 1;
            if (child >= K) break;
            if (child + 1 < K && Worse(keys[child + 1], rows[child + 1], keys[child], rows[child])) child++;
            if (!Worse(keys[child], rows[child], key, row)) break;
            keys[j] = keys[child]; rows[j] = rows[child];
            j = child;
        }
        keys[j] = key; rows[j] = row;
        _threshold[column] = keys[0];
    }
}
