namespace CircuitInsights.Tensors;

/// <summary>
/// A read-only logical [Rows, Cols] matrix over fp32, bf16 or fp16 memory owned by someone else (a managed array,
/// a memory-mapped checkpoint). Element (i, j) is stored at <c>Offset + i*RowStride + j*ColStride</c> (in elements),
/// so transposes and column blocks (e.g. Q, K, V inside GPT-2's fused c_attn) are views, never copies.
/// </summary>
public readonly struct MatrixRef
{
    readonly ReadOnlyMemory<float> _f32;
    readonly ReadOnlyMemory<ushort> _bits16;

    public DType DType { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Offset { get; }
    public int RowStride { get; }
    public int ColStride { get; }

    MatrixRef(ReadOnlyMemory<float> f32, ReadOnlyMemory<ushort> bits16, DType dtype, int rows, int cols, int offset, int rowStride, int colStride)
    {
        _f32 = f32; _bits16 = bits16; DType = dtype; Rows = rows; Cols = cols; Offset = offset; RowStride = rowStride; ColStride = colStride;
    }

    /// <summary>A row-major fp32 matrix; <paramref name="rowStride"/> defaults to <paramref name="cols"/>.</summary>
    public static MatrixRef FromF32(ReadOnlyMemory<float> data, int rows, int cols, int offset = 0, int? rowStride = null)
    {
        int rs = rowStride ?? cols;
        CheckBounds(data.Length, rows, cols, offset, rs, 1);
        return new MatrixRef(data, default, DType.F32, rows, cols, offset, rs, 1);
    }

    /// <summary>A row-major bf16/fp16 matrix given as raw 16-bit patterns.</summary>
    public static MatrixRef From16Bit(ReadOnlyMemory<ushort> data, DType dtype, int rows, int cols, int offset = 0, int? rowStride = null)
    {
        if (dtype is not (DType.BF16 or DType.F16)) throw new ArgumentException($"16-bit storage must be BF16 or F16, not {dtype}", nameof(dtype));
        int rs = rowStride ?? cols;
        CheckBounds(data.Length, rows, cols, offset, rs, 1);
        return new MatrixRef(default, data, dtype, rows, cols, offset, rs, 1);
    }

    static void CheckBounds(int length, int rows, int cols, int offset, int rowStride, int colStride)
    {
        if (rows < 0 || cols < 0 || offset < 0 || rowStride < 0 || colStride < 0)
            throw new ArgumentException("negative matrix dimension, offset or stride");
        if (rows == 0 || cols == 0) return;
        long last = offset + (long)(rows - 1) * rowStride + (long)(cols - 1) * colStride;
        if (last >= length)
            throw new ArgumentException($"matrix view [{rows}x{cols}] (offset {offset}, strides {rowStride},{colStride}) exceeds storage of {length} elements");
    }

    /// <summary>The transpose as a view: [Cols, Rows].</summary>
    public MatrixRef Transposed() => new(_f32, _bits16, DType, Cols, Rows, Offset, ColStride, RowStride);

    /// <summary>A rectangular block as a view.</summary>
    public MatrixRef Slice(int row0, int rows, int col0, int cols)
    {
        if (row0 < 0 || col0 < 0 || rows < 0 || cols < 0 || row0 + rows > Rows || col0 + cols > Cols)
            throw new ArgumentOutOfRangeException(nameof(row0), $"block [{row0}+{rows}, {col0}+{cols}] outside [{Rows}x{Cols}]");
        return new MatrixRef(_f32, _bits16, DType, rows, cols, Offset + row0 * RowStride + col0 * ColStride, RowStride, ColStride);
    }

    /// <summary>True when rows are contiguous (ColStride == 1).</summary>
    public bool IsRowContiguous => ColStride == 1;

    /// <summary>Underlying fp32 storage (valid when <see cref="DType"/> is F32).</summary>
    public ReadOnlyMemory<float> F32Storage => _f32;

    /// <summary>Underlying 16-bit storage (valid when <see cref="DType"/> is BF16 or F16).</summary>
    public ReadOnlyMemory<ushort> Bits16Storage => _bits16;

    public float this[int i, int j]
    {
        get
        {
            int idx = Offset + i * RowStride + j * ColStride;
            return DType switch
            {
                DType.F32 => _f32.Span[idx],
                DType.BF16 => HalfPrecision.Bf16ToSingle(_bits16.Span[idx]),
                _ => HalfPrecision.F16ToSingle(_bits16.Span[idx]),
            };
        }
    }

    /// <summary>Copies row <paramref name="i"/> into <paramref name="destination"/> as fp32.</summary>
    public void CopyRow(int i, Span<float> destination)
    {
        if ((uint)i >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(i));
        int start = Offset + i * RowStride;
        if (ColStride == 1)
        {
            if (DType == DType.F32) _f32.Span.Slice(start, Cols).CopyTo(destination);
            else HalfPrecision.Widen(_bits16.Span.Slice(start, Cols), DType, destination);
            return;
        }
        for (int j = 0; j < Cols; j++) destination[j] = this[i, j];
    }

    /// <summary>Copies the whole matrix into a new row-major fp32 array.</summary>
    public float[] ToArray()
    {
        var result = new float[(long)Rows * Cols];
        for (int i = 0; i < Rows; i++) CopyRow(i, result.AsSpan(i * Cols, Cols));
        return result;
    }

    public override string ToString() => $"MatrixRef[{Rows}x{Cols}, {DType}]";
}
