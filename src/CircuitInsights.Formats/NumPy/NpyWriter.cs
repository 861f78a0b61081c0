using System.Runtime.InteropServices;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>Writes NumPy <c>.npy</c> arrays in C order (format 1.0, or 2.0 for very long headers; see <see cref="NpyHeader"/>).</summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="tensor"/> as stored (BF16 has no numpy dtype and is rejected).</summary>
    public static void Write(Stream stream, TensorData tensor)
    {
        if (tensor.DType == DType.F32 && tensor.Raw.IsEmpty) Write(stream, DType.F32, tensor.Shape, MemoryMarshal.AsBytes(tensor.F32.Span));
        else if (tensor.DType == DType.F16 && tensor.Raw.IsEmpty) Write(stream, DType.F16, tensor.Shape, MemoryMarshal.AsBytes(tensor.Bits16.Span));
        else Write(stream, tensor.DType, tensor.Shape, tensor.Raw.Span);
    }

    /// <summary>Writes raw little-endian element bytes of <paramref name="dtype"/> with the given shape.</summary>
    public static void Write(Stream stream, DType dtype, IReadOnlyList<int> shape, ReadOnlySpan<byte> data)
    {
        long expected = TensorViews.ElementCount(shape) * DTypes.ByteSize(dtype);
        if (data.Length != expected) throw new ArgumentException($"{data.Length} bytes for {dtype} ({string.Join(", ", shape)}); expected {expected}");
        stream.Write(NpyHeader.Format(dtype, shape));
        stream.Write(data);
    }

    /// <summary>Writes fp32 values.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, IReadOnlyList<int> shape) => Write(stream, DType.F32, shape, MemoryMarshal.AsBytes(data));

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TensorData tensor) => AtomicFile.Write(path, s => Write(s, tensor));
}
