using System.Buffers;
using CircuitInsights.Tensors.Kernels;

namespace CircuitInsights.Tensors;

/// <summary>
/// Single-precision matrix products C[M, N] (+)= A[M, K] · B[K, N]. Operands are <see cref="MatrixRef"/> views (fp32, bf16
/// or fp16, any strides), so A·Bᵀ and Aᵀ·B are just transposed views (no transposed copy is made). C is row-major with
/// leading dimension ldc. Algorithm: packed, cache-blocked, 6×16 register-tiled FMA micro-kernel (dotnet.md §1.4),
/// multi-threaded over <see cref="ComputeSettings.Threads"/>.
/// <para>Exactness: every element is accumulated in fp32 in a fixed order — the reduction is cut into blocks of 256
/// (k = 0..255, 256..511, …); each block is summed from 0 with fused multiply-adds in ascending k and added to C. The
/// result is therefore bitwise identical for any thread count, packed or unpacked B, and any M (a row computed alone
/// equals the same row computed in a batch). Error bound (what the tests check against an fp64 reference):
/// |C − C_exact| ≤ (K + 2)·2⁻²⁴·(Σ_k |a_ik||b_kj| + |C₀_ij|), C₀ being the initial C when accumulating.</para>
/// <para>C must not overlap A or B. 16-bit operands are widened exactly; all arithmetic is fp32.</para>
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Products below this many multiply-adds run on the calling thread only.</summary>
    public const long ParallelThreshold = 1L << 21;

    /// <summary>C = A·B (or C += A·B when <paramref name="accumulate"/>).</summary>
    public static void Multiply(MatrixRef a, MatrixRef b, Span<float> c, int ldc, bool accumulate = false)
    {
        CheckShapes(a.Rows, a.Cols, b.Rows, b.Cols, c.Length, ldc);
        if (HandleDegenerate(a.Rows, a.Cols, b.Cols, c, ldc, accumulate)) return;
        var pa = PinnedMatrix.Pin(a, out MemoryHandle ha);
        var pb = PinnedMatrix.Pin(b, out MemoryHandle hb);
        int workers = Workers(a.Rows, a.Cols, b.Cols);
        using (ha)
        using (hb)
        fixed (float* pc = c)
        {
            if (SmallRowsGemm.Applies(pa, pb)) SmallRowsGemm.Run(pa, pb, pc, ldc, accumulate, workers);
            else BlockedGemm.Run(pa, new BlockedGemm.BOperand(pb), pc, ldc, accumulate, workers);
        }
    }

    /// <summary>C = A·B (or C += A·B) with a pre-packed B.</summary>
    public static void Multiply(MatrixRef a, PackedMatrix b, Span<float> c, int ldc, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(b);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        CheckShapes(a.Rows, a.Cols, b.K, b.N, c.Length, ldc);
        if (HandleDegenerate(a.Rows, a.Cols, b.N, c, ldc, accumulate)) return;
        var pa = PinnedMatrix.Pin(a, out MemoryHandle ha);
        using (ha)
        fixed (float* pc = c)
            BlockedGemm.Run(pa, new BlockedGemm.BOperand(b), pc, ldc, accumulate, Workers(a.Rows, a.Cols, b.N));
        GC.KeepAlive(b);
    }

    /// <summary>
    /// Computes C = A·B in tiles of at most <paramref name="rowBlock"/> rows × 4080 columns (WeightLens's W_E·W_enc,
    /// reference.md §3.4) and hands each tile to
    /// <paramref name="consumer"/>; the full [M, N] product is never held (memory: threads × rowBlock × 4080 floats).
    /// Tiles are computed by <see cref="ComputeSettings.Threads"/> workers, and <paramref name="consumer"/> is called on
    /// those workers: concurrently for disjoint column ranges, never concurrently for the same column range, in no
    /// particular row order. The consumer must not call MultiplyStreaming itself. Each tile's values are bitwise equal to those of <see cref="Multiply(MatrixRef, PackedMatrix, Span{float}, int, bool)"/>.
    /// </summary>
    public static void MultiplyStreaming(MatrixRef a, PackedMatrix b, int rowBlock, GemmTileConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(consumer);
        ObjectDisposedException.ThrowIf(b.IsDisposed, b);
        if (rowBlock < 1) throw new ArgumentOutOfRangeException(nameof(rowBlock), "rowBlock must be at least 1");
        CheckShapes(a.Rows, a.Cols, b.K, b.N, 0, b.N, checkC: false);
        int m = a.Rows, n = b.N;
        if (m == 0 || n == 0) return;
        int workers = Workers(m, a.Cols, n);
        rowBlock = Math.Min(rowBlock, m);
        // equal column chunks (multiples of 16, at most NC wide), at least one per worker
        int chunks = Math.Max(workers, (n + BlockedGemm.NC - 1) / BlockedGemm.NC);
        int width = ((n + chunks - 1) / chunks + MicroKernel.NR - 1) / MicroKernel.NR * MicroKernel.NR;
        if ((long)rowBlock * width > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(rowBlock), $"rowBlock {rowBlock} too large for a tile {width} columns wide");
        int columnChunks = (n + width - 1) / width, rowBlocks = (m + rowBlock - 1) / rowBlock;
        var locks = new object[columnChunks];
        for (int i = 0; i < locks.Length; i++) locks[i] = new object();
        var pa = PinnedMatrix.Pin(a, out MemoryHandle ha);
        using (ha)
        {
            ParallelWork.For(workers, rowBlocks * columnChunks, item =>
            {
                int i0 = item / columnChunks * rowBlock, rows = Math.Min(rowBlock, m - i0);
                int chunk = item % columnChunks, j0 = chunk * width, columns = Math.Min(width, n - j0);
                float* tile = Scratch.Get(Scratch.SlotStream, (long)rowBlock * width);
                if (a.Cols == 0) new Span<float>(tile, rows * width).Clear();
                else BlockedGemm.Block(pa, new BlockedGemm.BOperand(b), tile - (nint)i0 * width - j0, width, false, i0, i0 + rows, j0, j0 + columns);
                lock (locks[chunk]) consumer(i0, rows, j0, columns, new ReadOnlySpan<float>(tile, (rows - 1) * width + columns), width);
            });
        }
        GC.KeepAlive(b);
    }

    static int Workers(int m, int k, int n) => (long)m * k * n < ParallelThreshold ? 1 : ComputeSettings.Threads;

    /// <summary>M, N or K is zero: nothing to multiply (K = 0 gives C = 0 unless accumulating).</summary>
    static bool HandleDegenerate(int m, int k, int n, Span<float> c, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0) return true;
        if (k != 0) return false;
        if (!accumulate)
            for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
        return true;
    }

    internal static void CheckShapes(int m, int k, int kb, int n, int cLength, int ldc, bool checkC = true)
    {
        if (k != kb) throw new ArgumentException($"inner dimensions differ: A is [{m}x{k}], B is [{kb}x{n}]");
        if (!checkC) return;
        if (ldc < n) throw new ArgumentException($"ldc {ldc} < N {n}");
        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLength) throw new ArgumentException($"C has {cLength} elements, needs [{m}x{n}] with ldc {ldc}");
    }
}
