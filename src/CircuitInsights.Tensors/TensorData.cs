namespace CircuitInsights.Tensors;

/// <summary>
/// A named n-dimensional tensor stored row-major (C order) in memory owned elsewhere, typically a memory-mapped
/// checkpoint (zero copy). Float data is exposed as fp32 or raw 16-bit patterns; integer data as raw bytes.
/// </summary>
public sealed class TensorData
{
    public string Name { get; }
    public DType DType { get; }
    /// <summary>Shape, outermost dimension first.</summary>
    public int[] Shape { get; }
    public long ElementCount { get; }

    readonly ReadOnlyMemory<float> _f32;
    readonly ReadOnlyMemory<ushort> _bits16;
    readonly ReadOnlyMemory<byte> _raw;

    TensorData(string name, DType dtype, int[] shape, ReadOnlyMemory<float> f32, ReadOnlyMemory<ushort> bits16, ReadOnlyMemory<byte> raw)
    {
        Name = name; DType = dtype; Shape = shape; _f32 = f32; _bits16 = bits16; _raw = raw;
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension");
            n *= d;
        }
        ElementCount = n;
    }

    public static TensorData FromF32(string name, int[] shape, ReadOnlyMemory<float> data)
    {
        var t = new TensorData(name, DType.F32, shape, data, default, default);
        if (data.Length != t.ElementCount) throw new ArgumentException($"tensor '{name}': {data.Length} values for shape [{string.Join(", ", shape)}]");
        return t;
    }

    public static TensorData From16Bit(string name, DType dtype, int[] shape, ReadOnlyMemory<ushort> data)
    {
        if (dtype is not (DType.BF16 or DType.F16)) throw new ArgumentException($"16-bit storage must be BF16 or F16, not {dtype}");
        var t = new TensorData(name, dtype, shape, default, data, default);
        if (data.Length != t.ElementCount) throw new ArgumentException($"tensor '{name}': {data.Length} values for shape [{string.Join(", ", shape)}]");
        return t;
    }

    /// <summary>Any dtype as raw little-endian bytes (used for integer tensors and F64).</summary>
    public static TensorData FromRaw(string name, DType dtype, int[] shape, ReadOnlyMemory<byte> bytes)
    {
        var t = new TensorData(name, dtype, shape, default, default, bytes);
        if (bytes.Length != t.ElementCount * DTypes.ByteSize(dtype)) throw new ArgumentException($"tensor '{name}': {bytes.Length} bytes for {dtype} shape [{string.Join(", ", shape)}]");
        return t;
    }

    public int Rank => Shape.Length;

    /// <summary>fp32 data (DType must be F32).</summary>
    public ReadOnlyMemory<float> F32 => DType == DType.F32 && _raw.IsEmpty ? _f32 : throw new InvalidOperationException($"tensor '{Name}' is {DType}, not F32");

    /// <summary>16-bit data (DType must be BF16 or F16).</summary>
    public ReadOnlyMemory<ushort> Bits16 => DType is DType.BF16 or DType.F16 ? _bits16 : throw new InvalidOperationException($"tensor '{Name}' is {DType}, not a 16-bit float");

    /// <summary>Raw bytes (only for tensors created with <see cref="FromRaw"/>).</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>True when the data is F32, F16 or BF16 and accessible to the kernels.</summary>
    public bool IsKernelFloat => _raw.IsEmpty && DTypes.IsKernelFloat(DType);

    /// <summary>Views the tensor as a [rows, cols] matrix where rows = product of all but the last dimension.</summary>
    public MatrixRef AsMatrix()
    {
        if (Rank == 0) return AsMatrix(1, 1);
        int cols = Shape[^1];
        long rows = cols == 0 ? 0 : ElementCount / cols;
        return AsMatrix(checked((int)rows), cols);
    }

    /// <summary>Views the tensor as a [rows, cols] matrix (rows*cols must equal the element count).</summary>
    public MatrixRef AsMatrix(int rows, int cols)
    {
        if ((long)rows * cols != ElementCount) throw new ArgumentException($"tensor '{Name}' [{string.Join(", ", Shape)}] cannot be viewed as [{rows}x{cols}]");
        if (!IsKernelFloat) throw new InvalidOperationException($"tensor '{Name}' is {DType}; only F32/F16/BF16 can be used as a matrix");
        return DType == DType.F32 ? MatrixRef.FromF32(_f32, rows, cols) : MatrixRef.From16Bit(_bits16, DType, rows, cols);
    }

    /// <summary>Copies (and widens) all values into a new fp32 array.</summary>
    public float[] ToFloatArray()
    {
        var result = new float[ElementCount];
        if (DType == DType.F32 && _raw.IsEmpty) _f32.Span.CopyTo(result);
        else if (DType is DType.BF16 or DType.F16 && _raw.IsEmpty) HalfPrecision.Widen(_bits16.Span, DType, result);
        else
        {
            var span = _raw.Span;
            for (long i = 0; i < ElementCount; i++) result[i] = ReadRawAsSingle(span, DType, (int)i);
        }
        return result;
    }

    static float ReadRawAsSingle(ReadOnlySpan<byte> raw, DType dtype, int i) => dtype switch
    {
        DType.F64 => (float)BitConverter.ToDouble(raw.Slice(i * 8, 8)),
        DType.F32 => BitConverter.ToSingle(raw.Slice(i * 4, 4)),
        DType.BF16 => HalfPrecision.Bf16ToSingle(BitConverter.ToUInt16(raw.Slice(i * 2, 2))),
        DType.F16 => HalfPrecision.F16ToSingle(BitConverter.ToUInt16(raw.Slice(i * 2, 2))),
        DType.I64 => BitConverter.ToInt64(raw.Slice(i * 8, 8)),
        DType.I32 => BitConverter.ToInt32(raw.Slice(i * 4, 4)),
        DType.I16 => BitConverter.ToInt16(raw.Slice(i * 2, 2)),
        DType.I8 => (sbyte)raw[i],
        DType.U8 or DType.Bool => raw[i],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
