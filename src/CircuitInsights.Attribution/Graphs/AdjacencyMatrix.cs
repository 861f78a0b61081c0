namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// The dense [N, N] direct-effect matrix of an attribution graph (reference.md §3.1): <c>A[target, source]</c>, rows are
/// targets, columns are sources. Only rows that can receive edges are stored (features and logits); rows of error and
/// embedding nodes are identically zero and take no memory. Memory: stored rows × N × 4 bytes.
/// </summary>
public sealed class AdjacencyMatrix
{
    readonly float[]?[] _rows;

    public AdjacencyMatrix(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
        _rows = new float[]?[size];
    }

    /// <summary>N: number of nodes (rows = columns).</summary>
    public int Size { get; }

    public bool HasRow(int row) => _rows[row] is not null;

    /// <summary>Row <paramref name="row"/> [N], or an empty span when the row is not stored (all zero).</summary>
    public ReadOnlySpan<float> Row(int row) => _rows[row];

    /// <summary>Row <paramref name="row"/> for writing; allocated (zeroed) on first use.</summary>
    public Span<float> WritableRow(int row) => _rows[row] ??= new float[Size];

    /// <summary>Stores <paramref name="values"/> [N] as row <paramref name="row"/> (taken over, not copied).</summary>
    public void SetRow(int row, float[] values)
    {
        if (values.Length != Size) throw new ArgumentException($"row has {values.Length} values, the matrix has {Size} columns");
        _rows[row] = values;
    }

    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)Size, nameof(column));
            return _rows[row] is { } r ? r[column] : 0f;
        }
    }

    /// <summary>Number of stored (possibly non-zero) rows.</summary>
    public int StoredRows => _rows.Count(r => r is not null);

    /// <summary>Bytes held by the stored rows.</summary>
    public long StoredBytes => 4L * Size * StoredRows;

    /// <summary>Builds a matrix from a dense row-major [N, N] array; all-zero rows are not stored (tests, small graphs).</summary>
    public static AdjacencyMatrix FromDense(float[] dense, int size)
    {
        if (dense.Length != (long)size * size) throw new ArgumentException($"dense matrix has {dense.Length} values, expected {size}×{size}");
        var m = new AdjacencyMatrix(size);
        for (int r = 0; r < size; r++)
        {
            var src = dense.AsSpan(r * size, size);
            if (src.IndexOfAnyExcept(0f) >= 0) m.SetRow(r, src.ToArray());
        }
        return m;
    }

    /// <summary>The matrix as a dense row-major [N, N] array (tests, small graphs).</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)Size * Size];
        for (int r = 0; r < Size; r++) Row(r).CopyTo(dense.AsSpan(r * Size, Size));
        return dense;
    }
}
