using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// Packing of GEMM operands into the layouts the <see cref="MicroKernel"/> reads (dotnet.md §1.4).
/// A block [mc, kc] → panels of 6 rows, k-major: panel p at dst + p*6*kc, element (r, k) at [k*6 + r].
/// B block [kc, nc] → panels of 16 columns: panel q at dst + q*16*kc, element (k, c) at [k*16 + c]; the last panel is
/// zero-padded to 16 columns. Sources are read along their contiguous dimension (row-outer when rows are contiguous).
/// </summary>
internal static unsafe class Packing
{
    const int MR = MicroKernel.MR, NR = MicroKernel.NR;

    /// <summary>Packs A[i0 .. i0+mc, p0 .. p0+kc) as fp32 row panels.</summary>
    public static void PackA(in PinnedMatrix a, int i0, int mc, int p0, int kc, float* dst)
    {
        float* row = a.DType == DType.F32 || a.ColStride != 1 ? null : Scratch.Get(Scratch.SlotRow, kc);
        for (int q = 0; q < mc; q += MR)
        {
            int mr = Math.Min(MR, mc - q);
            float* d = dst + (nint)q * kc;
            if (a.ColStride == 1)
            {
                for (int r = 0; r < mr; r++)
                {
                    float* s;
                    if (a.DType == DType.F32) s = a.F32 + (i0 + q + r) * a.RowStride + p0;
                    else { a.CopyContiguous(i0 + q + r, p0, kc, row); s = row; }
                    for (int k = 0; k < kc; k++) d[k * MR + r] = s[k];
                }
            }
            else if (a.RowStride == 1 && a.DType == DType.F32)
            {
                for (int k = 0; k < kc; k++)
                {
                    float* s = a.F32 + (p0 + k) * a.ColStride + i0 + q;
                    for (int r = 0; r < mr; r++) d[k * MR + r] = s[r];
                }
            }
            else
            {
                for (int k = 0; k < kc; k++)
                    for (int r = 0; r < mr; r++) d[k * MR + r] = a[i0 + q + r, p0 + k];
            }
            for (int r = mr; r < MR; r++)
                for (int k = 0; k < kc; k++) d[k * MR + r] = 0;
        }
    }

    /// <summary>Packs B[p0 .. p0+kc, j0 .. j0+nc) as fp32 column panels (16-bit sources are widened).</summary>
    public static void PackB(in PinnedMatrix b, int p0, int kc, int j0, int nc, float* dst)
    {
        int panels = (nc + NR - 1) / NR;
        if (b.ColStride == 1)
        {
            float* row = b.DType == DType.F32 ? null : Scratch.Get(Scratch.SlotRow, nc);
            for (int k = 0; k < kc; k++)
            {
                float* s;
                if (b.DType == DType.F32) s = b.F32 + (p0 + k) * b.RowStride + j0;
                else { b.CopyContiguous(p0 + k, j0, nc, row); s = row; }
                float* d = dst + k * NR;
                int q = 0;
                for (; q < nc / NR; q++, s += NR, d += (nint)NR * kc)
                {
                    Vector256.Store(Vector256.Load(s), d);
                    Vector256.Store(Vector256.Load(s + 8), d + 8);
                }
                if (q < panels)
                {
                    int w = nc - q * NR;
                    for (int c = 0; c < w; c++) d[c] = s[c];
                    for (int c = w; c < NR; c++) d[c] = 0;
                }
            }
            return;
        }

        if (nc % NR != 0) new Span<float>(dst + (nint)(panels - 1) * NR * kc, NR * kc).Clear();
        if (b.RowStride == 1)
        {
            // B is a transposed view (stored [N, K]): its columns are contiguous, read them one by one.
            float* col = b.DType == DType.F32 ? null : Scratch.Get(Scratch.SlotRow, kc);
            for (int c = 0; c < nc; c++)
            {
                float* s;
                if (b.DType == DType.F32) s = b.F32 + p0 + (j0 + c) * b.ColStride;
                else { b.CopyContiguous(p0, j0 + c, kc, col); s = col; }
                float* d = dst + (nint)(c / NR) * NR * kc + c % NR;
                for (int k = 0; k < kc; k++) d[k * NR] = s[k];
            }
            return;
        }
        for (int k = 0; k < kc; k++)
            for (int c = 0; c < nc; c++)
                dst[(nint)(c / NR) * NR * kc + k * NR + c % NR] = b[p0 + k, j0 + c];
    }

    /// <summary>Packs a bf16 B[p0 .. p0+kc, j0 .. j0+nc) into bf16 column panels (bits copied, zero-padded).</summary>
    public static void PackBBf16(in PinnedMatrix b, int p0, int kc, int j0, int nc, ushort* dst)
    {
        int panels = (nc + NR - 1) / NR;
        new Span<ushort>(dst, panels * NR * kc).Clear();
        ushort* src = b.Bits16;
        if (b.ColStride == 1)
        {
            for (int k = 0; k < kc; k++)
            {
                ushort* s = src + (p0 + k) * b.RowStride + j0;
                for (int c = 0; c < nc; c++) dst[(nint)(c / NR) * NR * kc + k * NR + c % NR] = s[c];
            }
            return;
        }
        for (int c = 0; c < nc; c++)
        {
            ushort* s = src + (j0 + c) * b.ColStride + p0 * b.RowStride;
            ushort* d = dst + (nint)(c / NR) * NR * kc + c % NR;
            for (int k = 0; k < kc; k++) d[k * NR] = s[k * b.RowStride];
        }
    }
}
