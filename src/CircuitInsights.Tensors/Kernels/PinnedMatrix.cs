using System.Buffers;
using System.Runtime.InteropServices;

namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// A <see cref="MatrixRef"/> pinned for the duration of a kernel call, as a raw pointer plus strides, so that worker threads
/// can read it. Element (i, j) lives at <c>Base + (i*RowStride + j*ColStride)</c> elements of <see cref="DType"/>.
/// </summary>
internal readonly unsafe struct PinnedMatrix
{
    public readonly void* Base;
    public readonly DType DType;
    public readonly int Rows, Cols;
    public readonly nint RowStride, ColStride;

    PinnedMatrix(void* @base, DType dtype, int rows, int cols, nint rowStride, nint colStride)
    {
        Base = @base; DType = dtype; Rows = rows; Cols = cols; RowStride = rowStride; ColStride = colStride;
    }

    /// <summary>Pins <paramref name="m"/>; dispose the returned handle after the last use of the pointer.</summary>
    public static PinnedMatrix Pin(MatrixRef m, out MemoryHandle handle)
    {
        if (m.DType == DType.F32)
        {
            handle = MemoryMarshal.AsMemory(m.F32Storage).Pin();
            return new PinnedMatrix((float*)handle.Pointer + m.Offset, DType.F32, m.Rows, m.Cols, m.RowStride, m.ColStride);
        }
        handle = MemoryMarshal.AsMemory(m.Bits16Storage).Pin();
        return new PinnedMatrix((ushort*)handle.Pointer + m.Offset, m.DType, m.Rows, m.Cols, m.RowStride, m.ColStride);
    }

    public float* F32 => (float*)Base;
    public ushort* Bits16 => (ushort*)Base;

    /// <summary>Element (i, j) widened to fp32 (slow path for odd strides).</summary>
    public float this[nint i, nint j]
    {
        get
        {
            nint idx = i * RowStride + j * ColStride;
            return DType switch
            {
                DType.F32 => F32[idx],
                DType.BF16 => HalfPrecision.Bf16ToSingle(Bits16[idx]),
                _ => HalfPrecision.F16ToSingle(Bits16[idx]),
            };
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> elements that are contiguous in memory, starting at (i, j), widened to fp32
    /// (the caller knows which stride is 1).
    /// </summary>
    public void CopyContiguous(nint i, nint j, int count, float* destination)
    {
        nint start = i * RowStride + j * ColStride;
        if (DType == DType.F32) new ReadOnlySpan<float>(F32 + start, count).CopyTo(new Span<float>(destination, count));
        else HalfPrecision.Widen(new ReadOnlySpan<ushort>(Bits16 + start, count), DType, new Span<float>(destination, count));
    }
}
