using System.Runtime.InteropServices;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>Builds <see cref="TensorData"/> over bytes held by a <see cref="ByteSource"/> or a managed array.</summary>
internal static class TensorViews
{
    /// <summary>
    /// A row-major tensor whose <paramref name="byteLength"/> bytes start at <paramref name="offset"/> in
    /// <paramref name="source"/>: F32 as floats, F16/BF16 as 16-bit patterns, every other dtype as raw bytes.
    /// Zero-copy when the data is aligned (see <see cref="ByteSource.AsMemory{T}"/>).
    /// </summary>
    public static TensorData FromSource(ByteSource source, long offset, string name, DType dtype, int[] shape)
    {
        long count = ElementCount(shape);
        long bytes = count * DTypes.ByteSize(dtype);
        string what = $"tensor '{name}'";
        if (bytes > int.MaxValue && dtype is not (DType.F32 or DType.F16 or DType.BF16) || count > int.MaxValue)
            throw new InvalidModelFileException(source.Location, $"{what}: {bytes} bytes exceed the 2 GiB limit of one tensor view");
        return dtype switch
        {
            DType.F32 => TensorData.FromF32(name, shape, source.AsMemory<float>(offset, (int)count, what)),
            DType.F16 or DType.BF16 => TensorData.From16Bit(name, dtype, shape, source.AsMemory<ushort>(offset, (int)count, what)),
            _ => TensorData.FromRaw(name, dtype, shape, source.AsMemory<byte>(offset, (int)bytes, what)),
        };
    }

    /// <summary>A row-major tensor over a managed byte array of exactly the right length (copied into the element type).</summary>
    public static TensorData FromBytes(ReadOnlySpan<byte> data, string name, DType dtype, int[] shape)
    {
        switch (dtype)
        {
            case DType.F32:
            {
                var f = new float[data.Length / 4];
                data.CopyTo(MemoryMarshal.AsBytes(f.AsSpan()));
                return TensorData.FromF32(name, shape, f);
            }
            case DType.F16 or DType.BF16:
            {
                var h = new ushort[data.Length / 2];
                data.CopyTo(MemoryMarshal.AsBytes(h.AsSpan()));
                return TensorData.From16Bit(name, dtype, shape, h);
            }
            default:
                return TensorData.FromRaw(name, dtype, shape, data.ToArray());
        }
    }

    /// <summary>Product of the dimensions; throws <see cref="OverflowException"/> past <see cref="long.MaxValue"/>.</summary>
    public static long ElementCount(IReadOnlyList<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n = checked(n * d);
        return n;
    }

    /// <summary>The bytes a tensor of <paramref name="dtype"/> and <paramref name="shape"/> occupies, or -1 on overflow.</summary>
    public static long ByteLengthOrMinusOne(DType dtype, IReadOnlyList<long> shape)
    {
        try
        {
            long n = DTypes.ByteSize(dtype);
            foreach (long d in shape) n = checked(n * d);
            return n;
        }
        catch (OverflowException)
        {
            return -1;
        }
    }
}
