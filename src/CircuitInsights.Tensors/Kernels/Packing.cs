using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            // B is a transposed view (stored [N, K]): its columns are contiguous runs along k. Take 16 at a time
            // (widened into scratch if 16-bit) and transpose them into the panel in 8×8 register blocks.
            float* cols = b.DType == DType.F32 ? null : Scratch.Get(Scratch.SlotRow, (long)NR * kc);
            for (int q = 0; q < panels; q++)
            {
                int c0 = q * NR, w = Math.Min(NR, nc - c0);
                float* src;
                nint stride;
                if (b.DType == DType.F32) { src = b.F32 + p0 + (j0 + c0) * b.ColStride; stride = b.ColStride; }
                else
                {
                    for (int c = 0; c < w; c++) b.CopyContiguous(p0, j0 + c0 + c, kc, cols + (nint)c * kc);
                    src = cols; stride = kc;
                }
                TransposeIntoPanel(src, stride, w, kc, dst + (nint)q * NR * kc);
            }
            return;
        }
        for (int k = 0; k < kc; k++)
            for (int c = 0; c < nc; c++)
                dst[(nint)(c / NR) * NR * kc + k * NR + c % NR] = b[p0 + k, j0 + c];
    }

    /// <summary>
    /// panel[k*16 + c] = src[c*stride + k] for c &lt; <paramref name="w"/> ≤ 16, k &lt; kc (columns past w are left as they are).
    /// </summary>
    static void TransposeIntoPanel(float* src, nint stride, int w, int kc, float* panel)
    {
        int k0 = 0;
        if (Avx.IsSupported)
        {
            for (; k0 + 8 <= kc; k0 += 8)
            {
                if (w >= 8) Transpose8x8(src + k0, stride, panel + k0 * NR);
                if (w == NR) Transpose8x8(src + 8 * stride + k0, stride, panel + k0 * NR + 8);
                else for (int c = w & 8; c < w; c++) // the columns not covered by a full 8×8 block
                        for (int k = k0; k < k0 + 8; k++) panel[k * NR + c] = src[c * stride + k];
            }
        }
        for (int c = 0; c < w; c++)
            for (int k = k0; k < kc; k++) panel[k * NR + c] = src[c * stride + k];
    }

    /// <summary>Writes the transpose of the 8×8 block src[r*stride + k] into dst[k*16 + r].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(float* src, nint stride, float* dst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + stride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * stride), r3 = Avx.LoadVector256(src + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * stride), r5 = Avx.LoadVector256(src + 5 * stride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * stride), r7 = Avx.LoadVector256(src + 7 * stride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst + 0 * NR, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 1 * NR, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * NR, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * NR, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * NR, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * NR, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * NR, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * NR, Avx.Permute2x128(u3, u7, 0x31));
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
