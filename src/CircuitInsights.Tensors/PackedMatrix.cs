using System.Buffers;
using System.Runtime.InteropServices;
using CircuitInsights.Tensors.Kernels;

namespace CircuitInsights.Tensors;

/// <summary>
/// The right-hand operand B [K, N] of <see cref="Gemm"/> packed once (typically at model load) into the layout the
/// micro-kernel reads, so repeated products do not pay for packing (dotnet.md §1.1, option b3/b4).
/// Layout: blocks of 256 reduction rows; inside a block, panels of 16 columns stored k-major ([kc][16]), the last panel
/// zero-padded, in 64-byte aligned native memory. bf16 sources stay bf16 in the panels (half the memory) and are widened
/// inside the micro-kernel; fp16 sources are widened to fp32 when packing (.NET exposes no F16C conversion), fp32 stays fp32.
/// Dispose it when done (a finalizer frees the memory otherwise); it must not be disposed while a product is using it.
/// </summary>
public sealed unsafe class PackedMatrix : IDisposable
{
    nint _data; // void*, swapped atomically on dispose
    readonly long _bytes;

    /// <summary>Rows of B (the reduction dimension).</summary>
    public int K { get; }
    /// <summary>Columns of B (output width).</summary>
    public int N { get; }
    /// <summary>Element type kept in the packed panels: BF16 for bf16 sources, F32 otherwise.</summary>
    public DType StorageType { get; }
    /// <summary>Element type of the matrix that was packed.</summary>
    public DType SourceType { get; }

    PackedMatrix(int k, int n, DType storage, DType source)
    {
        K = k; N = n; StorageType = storage; SourceType = source;
        long paddedN = (n + MicroKernel.NR - 1) / MicroKernel.NR * MicroKernel.NR;
        _bytes = (long)k * paddedN * (storage == DType.BF16 ? 2 : 4);
        _data = (nint)NativeMemory.AlignedAlloc((nuint)Math.Max(1, _bytes), 64);
        if (_bytes > 0) GC.AddMemoryPressure(_bytes);
    }

    /// <summary>Packs <paramref name="b"/> (logical [K, N], any strides, fp32/bf16/fp16) using <see cref="ComputeSettings.Threads"/>.</summary>
    public static PackedMatrix Pack(MatrixRef b)
    {
        const int KC = BlockedGemm.KC, NC = BlockedGemm.NC;
        var storage = b.DType == DType.BF16 ? DType.BF16 : DType.F32;
        var packed = new PackedMatrix(b.Rows, b.Cols, storage, b.DType);
        var source = PinnedMatrix.Pin(b, out MemoryHandle handle);
        using (handle)
        {
            int kBlocks = (b.Rows + KC - 1) / KC, nBlocks = (b.Cols + NC - 1) / NC;
            ParallelWork.For(ComputeSettings.Threads, kBlocks * nBlocks, item =>
            {
                int pc = item / nBlocks * KC, jc = item % nBlocks * NC;
                int kc = Math.Min(KC, b.Rows - pc), nc = Math.Min(NC, b.Cols - jc);
                void* dst = packed.PanelPointer(pc, jc);
                if (storage == DType.BF16) Packing.PackBBf16(source, pc, kc, jc, nc, (ushort*)dst);
                else Packing.PackB(source, pc, kc, jc, nc, (float*)dst);
            });
        }
        return packed;
    }

    /// <summary>Bytes held by the packed copy.</summary>
    public long Bytes => _data == 0 ? 0 : _bytes;

    /// <summary>Whether <see cref="Dispose"/> has freed the panels.</summary>
    public bool IsDisposed => _data == 0;

    /// <summary>The panel holding B[pc.., jc..] (pc a multiple of 256, jc a multiple of 16).</summary>
    internal void* PanelPointer(int pc, int jc)
    {
        nint data = _data;
        ObjectDisposedException.ThrowIf(data == 0, this);
        long paddedN = (N + MicroKernel.NR - 1) / MicroKernel.NR * MicroKernel.NR;
        int kc = Math.Min(BlockedGemm.KC, K - pc);
        long offset = pc * paddedN + (long)jc * kc;
        return (byte*)data + offset * (StorageType == DType.BF16 ? 2 : 4);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~PackedMatrix() => Free();

    void Free()
    {
        nint data = Interlocked.Exchange(ref _data, 0);
        if (data == 0) return;
        NativeMemory.AlignedFree((void*)data);
        if (_bytes > 0) GC.RemoveMemoryPressure(_bytes);
    }

    public override string ToString() => $"PackedMatrix[{K}x{N}, {StorageType}, {Bytes} bytes]";
}
