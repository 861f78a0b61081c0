using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// C[M ≤ 5, N] (+)= A·B for an unpacked B with contiguous rows (fp32 or bf16): the GEMV-like, memory-bound case
/// (e.g. one token through the unembedding). Packing B would cost more than the product, so B is streamed once, row by
/// row (a sequential stream), into fp32 accumulators for a strip of 16384 columns that stay in L2. The summation order per element is the
/// one of <see cref="MicroKernel"/> (blocks of 256 along K, FMA in ascending k from 0, then added to C), so the
/// results are bitwise those of the blocked path.
/// </summary>
internal static unsafe class SmallRowsGemm
{
    public const int MaxRows = 5;
    const int Strip = 16384, KC = BlockedGemm.KC;

    public static bool Applies(in PinnedMatrix a, in PinnedMatrix b) =>
        a.Rows <= MaxRows && b.ColStride == 1 && b.DType is (DType.F32 or DType.BF16) && MicroKernel.IsVectorized;

    public static void Run(PinnedMatrix a, PinnedMatrix b, float* c, nint ldc, bool accumulate, int workers)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols;
        // A as fp32 [m, K], row-major (m·K values: negligible next to the K·N of B)
        var aRows = GC.AllocateUninitializedArray<float>(m * k, pinned: true);
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) aRows[i * k + p] = a[i, p];
        nint aAddr, cAddr = (nint)c;
        fixed (float* pa = aRows) aAddr = (nint)pa;
        // strips of equal width (a multiple of 8), at most Strip wide, two per worker when threaded
        int pieces = Math.Max((n + Strip - 1) / Strip, workers > 1 ? 2 * workers : 1);
        int width = Math.Min(Strip, ((n + pieces - 1) / pieces + 7) & ~7);
        int strips = (n + width - 1) / width;
        ParallelWork.For(workers, strips, strip =>
        {
            float* acc = Scratch.Get(Scratch.SlotTile, MaxRows * Strip);
            int j0 = strip * width, w = Math.Min(width, n - j0);
            bool bf16 = b.DType == DType.BF16;
            switch (m)
            {
                case 1: if (bf16) Strip1<Rows1, Bf16Panel>(); else Strip1<Rows1, F32Panel>(); break;
                case 2: if (bf16) Strip1<Rows2, Bf16Panel>(); else Strip1<Rows2, F32Panel>(); break;
                case 3: if (bf16) Strip1<Rows3, Bf16Panel>(); else Strip1<Rows3, F32Panel>(); break;
                case 4: if (bf16) Strip1<Rows4, Bf16Panel>(); else Strip1<Rows4, F32Panel>(); break;
                default: if (bf16) Strip1<Rows5, Bf16Panel>(); else Strip1<Rows5, F32Panel>(); break;
            }

            void Strip1<TRows, TB>() where TRows : struct, IRowCount where TB : struct, IPanelLoad =>
                RunStrip<TRows, TB>((float*)aAddr, k, b, (float*)cAddr, ldc, accumulate, j0, w, acc);
        });
        GC.KeepAlive(aRows);
    }

    static void RunStrip<TRows, TB>(float* a, int k, in PinnedMatrix b, float* c, nint ldc, bool accumulate, int j0, int w, float* acc)
        where TRows : struct, IRowCount where TB : struct, IPanelLoad
    {
        int m = TRows.Value, wv = w & ~7;
        int elementSize = b.DType == DType.BF16 ? 2 : 4;
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            int ws = (w + 7) & ~7; // accumulator row stride
            new Span<float>(acc, m * ws).Clear();
            float* acc1 = acc + ws, acc2 = acc + 2 * ws, acc3 = acc + 3 * ws, acc4 = acc + 4 * ws;
            int p = pc;
            for (; p + 2 <= pc + kc; p += 2)
            {
                // two B rows per pass: acc = fma(a[p+1], b[p+1], fma(a[p], b[p], acc)), i.e. ascending k
                byte* r0 = (byte*)b.Base + ((p * b.RowStride) + j0) * elementSize;
                byte* r1 = r0 + b.RowStride * elementSize;
                Vector256<float> a00 = Vector256.Create(a[p]), a01 = Vector256.Create(a[p + 1]);
                Vector256<float> a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default, a40 = default, a41 = default;
                if (m > 1) { a10 = Vector256.Create(a[k + p]); a11 = Vector256.Create(a[k + p + 1]); }
                if (m > 2) { a20 = Vector256.Create(a[2 * k + p]); a21 = Vector256.Create(a[2 * k + p + 1]); }
                if (m > 3) { a30 = Vector256.Create(a[3 * k + p]); a31 = Vector256.Create(a[3 * k + p + 1]); }
                if (m > 4) { a40 = Vector256.Create(a[4 * k + p]); a41 = Vector256.Create(a[4 * k + p + 1]); }
                for (int j = 0; j < wv; j += 8)
                {
                    Vector256<float> b0 = TB.Load(r0, j), b1 = TB.Load(r1, j);
                    Vector256.Store(Fma.MultiplyAdd(a01, b1, Fma.MultiplyAdd(a00, b0, Vector256.Load(acc + j))), acc + j);
                    if (m > 1) Vector256.Store(Fma.MultiplyAdd(a11, b1, Fma.MultiplyAdd(a10, b0, Vector256.Load(acc1 + j))), acc1 + j);
                    if (m > 2) Vector256.Store(Fma.MultiplyAdd(a21, b1, Fma.MultiplyAdd(a20, b0, Vector256.Load(acc2 + j))), acc2 + j);
                    if (m > 3) Vector256.Store(Fma.MultiplyAdd(a31, b1, Fma.MultiplyAdd(a30, b0, Vector256.Load(acc3 + j))), acc3 + j);
                    if (m > 4) Vector256.Store(Fma.MultiplyAdd(a41, b1, Fma.MultiplyAdd(a40, b0, Vector256.Load(acc4 + j))), acc4 + j);
                }
                for (int j = wv; j < w; j++)
                {
                    float b0 = Element(r0, j, elementSize), b1 = Element(r1, j, elementSize);
                    for (int r = 0; r < m; r++)
                        acc[r * ws + j] = MathF.FusedMultiplyAdd(a[r * k + p + 1], b1, MathF.FusedMultiplyAdd(a[r * k + p], b0, acc[r * ws + j]));
                }
            }
            if (p < pc + kc)
            {
                byte* r0 = (byte*)b.Base + ((p * b.RowStride) + j0) * elementSize;
                for (int j = 0; j < w; j++)
                {
                    float b0 = Element(r0, j, elementSize);
                    for (int r = 0; r < m; r++) acc[r * ws + j] = MathF.FusedMultiplyAdd(a[r * k + p], b0, acc[r * ws + j]);
                }
            }
            bool add = accumulate || pc > 0;
            for (int r = 0; r < m; r++)
            {
                float* cr = c + r * ldc + j0, ar = acc + r * ws;
                if (add) for (int j = 0; j < w; j++) cr[j] += ar[j];
                else new Span<float>(ar, w).CopyTo(new Span<float>(cr, w));
            }
        }
    }

    static float Element(byte* row, int j, int elementSize) =>
        elementSize == 4 ? ((float*)row)[j] : HalfPrecision.Bf16ToSingle(((ushort*)row)[j]);
}
