namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// The cache-blocked GEMM driver (BLIS loop order, dotnet.md §1.4): jc (NC columns) → pc (KC of the reduction, pack B
/// row-outer unless pre-packed) → ic (MC rows, pack A) → jr (16-column panels) → ir (6-row panels) → micro-kernel.
/// Work is split into column slices (or row slices when N is narrow) handed out to <see cref="ComputeSettings.Threads"/>
/// workers; slice boundaries depend only on the shape and the thread count, and every element of C is summed in the
/// same order in any slice, so C is bitwise independent of the thread count.
/// </summary>
internal static unsafe class BlockedGemm
{
    public const int KC = 256, MC = 144, NC = 4080;
    const int MR = MicroKernel.MR, NR = MicroKernel.NR;

    /// <summary>The B operand: a source to pack per call, or pre-packed panels.</summary>
    public readonly struct BOperand
    {
        public readonly PinnedMatrix Source;
        public readonly PackedMatrix? Packed;
        public BOperand(PinnedMatrix source) { Source = source; Packed = null; }
        public BOperand(PackedMatrix packed) { Source = default; Packed = packed; }
        public int N => Packed?.N ?? Source.Cols;
    }

    /// <summary>C[M, N] (+)= A[M, K]·B[K, N] on <paramref name="workers"/> threads.</summary>
    public static void Run(PinnedMatrix a, BOperand b, float* c, nint ldc, bool accumulate, int workers)
    {
        int m = a.Rows, n = b.N;
        nint cAddr = (nint)c;
        if (workers <= 1)
        {
            Block(a, b, c, ldc, accumulate, 0, m, 0, n);
            return;
        }
        if (n >= workers * 4 * NR)
        {
            // Column slices, NR-aligned, at most NC wide, a multiple of the worker count in number.
            int perWorker = (CeilDiv(n, NC) + workers - 1) / workers;
            int slices = workers * perWorker;
            int width = CeilDiv(CeilDiv(n, slices), NR) * NR;
            slices = CeilDiv(n, width);
            ParallelWork.For(workers, slices, s =>
            {
                int j0 = s * width, j1 = Math.Min(n, j0 + width);
                Block(a, b, (float*)cAddr, ldc, accumulate, 0, m, j0, j1);
            });
        }
        else
        {
            int slices = Math.Min(CeilDiv(m, MR), workers * 2);
            int height = CeilDiv(CeilDiv(m, slices), MR) * MR;
            slices = CeilDiv(m, height);
            ParallelWork.For(workers, slices, s =>
            {
                int i0 = s * height, i1 = Math.Min(m, i0 + height);
                Block(a, b, (float*)cAddr, ldc, accumulate, i0, i1, 0, n);
            });
        }
    }

    static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Computes the block C[i0..i1, j0..j1) on the calling thread (j0 is a multiple of 16).</summary>
    internal static void Block(in PinnedMatrix a, in BOperand b, float* c, nint ldc, bool accumulate, int i0, int i1, int j0, int j1)
    {
        int k = a.Cols;
        var packed = b.Packed;
        bool bf16 = packed is { StorageType: DType.BF16 };
        int elementSize = bf16 ? 2 : 4;
        float* bufA = Scratch.Get(Scratch.SlotA, (long)MC * KC);
        float* bufB = packed is null ? Scratch.Get(Scratch.SlotB, (long)KC * NC) : null;
        float* tile = Scratch.Get(Scratch.SlotTile, MR * NR);

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                byte* bp;
                if (packed is not null) bp = (byte*)packed.PanelPointer(pc, jc);
                else { Packing.PackB(b.Source, pc, kc, jc, nc, bufB); bp = (byte*)bufB; }
                bool add = accumulate || pc > 0;
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    Packing.PackA(a, ic, mc, pc, kc, bufA);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        void* panel = bp + (nint)jr * kc * elementSize;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* ct = c + (ic + ir) * ldc + jc + jr;
                            if (nr == NR)
                            {
                                MicroKernel.Run(mr, bf16, kc, bufA + (nint)ir * kc, panel, ct, ldc, add);
                                continue;
                            }
                            MicroKernel.Run(mr, bf16, kc, bufA + (nint)ir * kc, panel, tile, NR, false);
                            for (int r = 0; r < mr; r++)
                            {
                                float* cr = ct + r * ldc, tr = tile + r * NR;
                                if (add) for (int j = 0; j < nr; j++) cr[j] += tr[j];
                                else for (int j = 0; j < nr; j++) cr[j] = tr[j];
                            }
                        }
                    }
                }
            }
        }
    }
}
