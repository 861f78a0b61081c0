using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.WeightLens.Projection;

/// <summary>
/// Streaming per-column pools of a [rows, columns] product that is never held whole (e.g. W_E[V, D]·W_enc[D, F]):
/// for every column the k largest values (top pool), the k smallest (bottom pool) and Σ|value|, fed tile by tile from
/// <see cref="Tensors.Gemm.MultiplyStreaming"/> (WeightLens pools, reference.md §3.4). This is the fused consumer of the
/// projection GEMMs, so it is built for speed: a value is compared with the column's current threshold (8 columns at a
/// time); a passing value is appended to the column's buffer as one sortable 64-bit key, and a full buffer is cut back
/// to the k best by quickselect, which raises the threshold. Amortised O(1) per candidate (a heap costs O(log k) with
/// scattered memory access). Because rows arrive in an order unrelated to their values, the threshold is also raised
/// speculatively each time the rows seen double: to the r-th best seen, r = m + 7√m + 8 where m = k·seen/rows is the
/// expected number of final pool members among them (a 7σ margin), which cuts the candidates about 2.5-fold. A column
/// whose speculation was too high ends with fewer than k entries or a k-th value below its threshold, which
/// <see cref="IsExact"/> reports (the caller recomputes it); otherwise the pool is exactly the top-k.
/// <para>Order: top pools rank larger values first, bottom pools smaller first; ties go to the lower row; NaN is
/// ignored; −0 counts as +0. The kept set, the sorted pools and Σ|value| (summed per row block of a fixed size, then
/// over blocks in order) are independent of the order in which tiles arrive and of the thread count.</para>
/// <para><see cref="Add"/> may run concurrently for disjoint column ranges. Memory: columns × 2k × 8 bytes per
/// pool kind, plus columns × ⌈rows/rowBlock⌉ × 4 bytes for the sums.</para>
/// </summary>
internal sealed class ColumnPools
{
    const int Strip = 256;

    readonly Side? _top, _bottom;
    readonly float[] _absPartial; // [rowBlocks, Columns]
    readonly int _rowBlocks;

    public int Columns { get; }
    public int K { get; }
    public int RowBlock { get; }
    public int Rows { get; }

    /// <param name="columns">Columns of the streamed matrix.</param>
    /// <param name="rows">Rows of the streamed matrix (to size the per-block sums).</param>
    /// <param name="rowBlock">Tile height of the stream; tiles must start at multiples of it.</param>
    /// <param name="k">Pool size.</param>
    /// <param name="top">Keep the k largest values.</param>
    /// <param name="bottom">Keep the k smallest values.</param>
    public ColumnPools(int columns, int rows, int rowBlock, int k, bool top, bool bottom)
    {
        if (columns < 0 || rows < 0) throw new ArgumentOutOfRangeException(nameof(columns));
        if (rowBlock < 1) throw new ArgumentOutOfRangeException(nameof(rowBlock));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k));
        Columns = columns; Rows = rows; RowBlock = rowBlock; K = k;
        int capacity = 2 * k; // a full buffer is cut back to k: amortised O(1) per candidate
        if (top) _top = new Side(columns, capacity, largest: true);
        if (bottom) _bottom = new Side(columns, capacity, largest: false);
        _rowBlocks = (rows + rowBlock - 1) / rowBlock;
        _absPartial = new float[(long)_rowBlocks * columns];
    }

    /// <summary>
    /// Offers the tile <paramref name="tile"/>[r*ld + c] = value at row <paramref name="firstRow"/> + r and column
    /// <paramref name="firstColumn"/> + c, each multiplied by <paramref name="scale"/> first. <paramref name="firstRow"/> must
    /// be a multiple of <see cref="RowBlock"/> and the tile at most <see cref="RowBlock"/> rows high.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<float> tile, int tileRows, int ld, int firstRow, int firstColumn, int columnCount, float scale = 1f)
    {
        if (tileRows <= 0 || columnCount <= 0) return;
        if (firstRow % RowBlock != 0 || tileRows > RowBlock || firstRow + tileRows > Rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"tile rows [{firstRow}+{tileRows}) do not fit row blocks of {RowBlock} over {Rows} rows");
        if (firstColumn < 0 || firstColumn + columnCount > Columns)
            throw new ArgumentOutOfRangeException(nameof(firstColumn), $"tile columns [{firstColumn}+{columnCount}) outside {Columns}");
        if ((long)(tileRows - 1) * ld + columnCount > tile.Length) throw new ArgumentException("tile is shorter than its shape", nameof(tile));

        int block = firstRow / RowBlock;
        Span<float> acc = stackalloc float[Strip];
        for (int s0 = 0; s0 < columnCount; s0 += Strip)
        {
            int width = Math.Min(Strip, columnCount - s0);
            int col0 = firstColumn + s0;
            acc.Clear();
            for (int r = 0; r < tileRows; r++)
                AddRow(tile.Slice(r * ld + s0, width), firstRow + r, col0, acc, scale);
            acc[..width].CopyTo(_absPartial.AsSpan(block * Columns + col0, width));
            for (int c = col0; c < col0 + width; c++)
            {
                _top?.Seen(c, tileRows, K, Rows);
                _bottom?.Seen(c, tileRows, K, Rows);
            }
        }
    }

    /// <summary>Whether the pools of <paramref name="column"/> are exactly the top-k and bottom-k (false only when a
    /// speculative threshold rejected a value that belongs to a pool; recompute the column then).</summary>
    public bool IsExact(int column, bool top) => (top ? _top : _bottom) is not { } side || side.IsExact(column, K);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void AddRow(ReadOnlySpan<float> row, int rowIndex, int col0, Span<float> acc, float scale)
    {
        var top = _top;
        var bottom = _bottom;
        ref float src = ref MemoryMarshal.GetReference(row);
        ref float sum = ref MemoryMarshal.GetReference(acc);
        int c = 0;
        var vScale = Vector256.Create(scale);
        bool scaled = scale != 1f;
        for (; c + 8 <= row.Length; c += 8)
        {
            var v = Vector256.LoadUnsafe(ref src, (nuint)c);
            if (scaled) v *= vScale;
            Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref sum, (nuint)c) + Vector256.Abs(v), ref sum, (nuint)c);
            if (top is not null)
            {
                uint mask = Vector256.GreaterThanOrEqual(v, Vector256.LoadUnsafe(ref top.Threshold[col0], (nuint)c)).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    top.Offer(col0 + c + bit, Unsafe.Add(ref src, c + bit) * scale, rowIndex, K);
                }
            }
            if (bottom is not null)
            {
                uint mask = Vector256.LessThanOrEqual(v, Vector256.LoadUnsafe(ref bottom.Threshold[col0], (nuint)c)).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    bottom.Offer(col0 + c + bit, Unsafe.Add(ref src, c + bit) * scale, rowIndex, K);
                }
            }
        }
        for (; c < row.Length; c++)
        {
            float v = row[c] * scale;
            acc[c] += MathF.Abs(v);
            if (top is not null && v >= top.Threshold[col0 + c]) top.Offer(col0 + c, v, rowIndex, K);
            if (bottom is not null && v <= bottom.Threshold[col0 + c]) bottom.Offer(col0 + c, v, rowIndex, K);
        }
    }

    /// <summary>Σ|value| of a column over all rows seen (per-block fp32 sums added in block order in fp64).</summary>
    public double AbsSum(int column)
    {
        double s = 0;
        for (int b = 0; b < _rowBlocks; b++) s += _absPartial[(long)b * Columns + column];
        return s;
    }

    /// <summary>The top pool of a column, best first (descending values, ties by lower row). Returns the count written.</summary>
    public int Top(int column, Span<float> values, Span<int> rows) =>
        (_top ?? throw new InvalidOperationException("no top pools kept")).Result(column, K, values, rows);

    /// <summary>The bottom pool of a column, best first (ascending values, ties by lower row). Returns the count written.</summary>
    public int Bottom(int column, Span<float> values, Span<int> rows) =>
        (_bottom ?? throw new InvalidOperationException("no bottom pools kept")).Result(column, K, values, rows);

    /// <summary>One kind of pool for every column: keys sort ascending in "better first" order.</summary>
    sealed class Side
    {
        readonly ulong[] _keys;  // [columns, capacity]
        readonly int[] _counts;  // [columns]
        readonly int[] _seen;    // [columns] rows offered so far
        readonly int[] _nextEstimate; // [columns] rows seen at which the threshold is next raised speculatively
        readonly bool[] _speculated;  // [columns]
        readonly int _capacity;
        readonly bool _largest;
        public readonly float[] Threshold; // [columns] accept v ≥ thr (top) or v ≤ thr (bottom)

        public Side(int columns, int capacity, bool largest)
        {
            _capacity = capacity; _largest = largest;
            long size = (long)columns * capacity;
            if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(columns), $"{columns} columns × pool capacity {capacity} is too large");
            _keys = new ulong[size];
            _counts = new int[columns];
            _seen = new int[columns];
            _nextEstimate = new int[columns];
            Array.Fill(_nextEstimate, 256);
            _speculated = new bool[columns];
            Threshold = new float[columns];
            Array.Fill(Threshold, largest ? float.NegativeInfinity : float.PositiveInfinity);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(int column, float value, int row, int k)
        {
            if (float.IsNaN(value)) return;
            ref int n = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), column);
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_keys), (nint)column * _capacity + n) = PoolKey.Encode(value, row, _largest);
            if (++n == _capacity) Compact(column, k);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        void Compact(int column, int k)
        {
            var keys = _keys.AsSpan(column * _capacity, _capacity);
            PoolKey.SelectSmallest(keys, k);
            _counts[column] = k;
            Raise(column, PoolKey.Value(keys[k - 1], _largest));
        }

        /// <summary>Counts rows seen; each time they double, raises the threshold to the r-th best seen (see class docs).</summary>
        public void Seen(int column, int rows, int k, int totalRows)
        {
            int seen = _seen[column] += rows;
            if (seen < _nextEstimate[column] || seen >= totalRows) return;
            _nextEstimate[column] = seen <= int.MaxValue / 2 ? 2 * seen : int.MaxValue;
            double m = (double)k * seen / totalRows;
            int r = (int)Math.Ceiling(m + 7 * Math.Sqrt(m) + 8);
            int n = _counts[column];
            if (r >= n) return;
            var keys = _keys.AsSpan(column * _capacity, n);
            PoolKey.SelectSmallest(keys, r);
            _counts[column] = r;
            if (r < k) _speculated[column] = true;
            Raise(column, PoolKey.Value(keys[r - 1], _largest));
        }

        /// <summary>Thresholds only move towards better values.</summary>
        void Raise(int column, float value)
        {
            if (_largest ? value > Threshold[column] : value < Threshold[column]) Threshold[column] = value;
        }

        public bool IsExact(int column, int k)
        {
            if (!_speculated[column]) return true;
            int n = _counts[column];
            if (n < k) return false;
            var keys = _keys.AsSpan(column * _capacity, n).ToArray();
            if (n > k) PoolKey.SelectSmallest(keys, k);
            ulong worst = keys.AsSpan(0, k).ToArray().Max();
            float w = PoolKey.Value(worst, _largest);
            return _largest ? w >= Threshold[column] : w <= Threshold[column];
        }

        public int Result(int column, int k, Span<float> values, Span<int> rows)
        {
            int n = _counts[column];
            var keys = _keys.AsSpan(column * _capacity, n).ToArray();
            int take = Math.Min(k, n);
            if (values.Length < take || rows.Length < take) throw new ArgumentException("destination shorter than the pool");
            if (n > k) PoolKey.SelectSmallest(keys, k);
            var best = keys.AsSpan(0, take);
            best.Sort();
            for (int i = 0; i < take; i++) { values[i] = PoolKey.Value(best[i], _largest); rows[i] = PoolKey.Row(best[i]); }
            return take;
        }
    }
}
