using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CircuitInsights.Tensors.Kernels;

/// <summary>Number of live rows (1..6) of a micro-tile, as a type so the JIT compiles one specialised kernel per count.</summary>
internal interface IRowCount { static abstract int Value { get; } }
internal struct Rows1 : IRowCount { public static int Value => 1; }
internal struct Rows2 : IRowCount { public static int Value => 2; }
internal struct Rows3 : IRowCount { public static int Value => 3; }
internal struct Rows4 : IRowCount { public static int Value => 4; }
internal struct Rows5 : IRowCount { public static int Value => 5; }
internal struct Rows6 : IRowCount { public static int Value => 6; }

/// <summary>Element type of the packed B panels: loads 8 consecutive elements as fp32.</summary>
internal unsafe interface IPanelLoad
{
    static abstract Vector256<float> Load(void* panel, nint index);
}

internal unsafe struct F32Panel : IPanelLoad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(void* panel, nint index) => Vector256.Load((float*)panel + index);
}

/// <summary>bf16 panels widened in registers: zero-extend 16→32 bits (vpmovzxwd) and shift left by 16.</summary>
internal unsafe struct Bf16Panel : IPanelLoad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(void* panel, nint index) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)panel + index), 16).AsSingle();
}

/// <summary>
/// The register-tiled GEMM micro-kernel (dotnet.md §1.4): a [rows ≤ 6, 16] tile of C accumulated in 12 Vector256
/// registers over kc steps, C[r, 0..16) (+)= Σ_k A[r, k]·B[k, 0..16).
/// A is a packed 6-row panel (k-major: a[k*6 + r]); B a packed 16-column panel (b[k*16 + c]).
/// Summation order per element: acc = 0; acc = fma(a_k, b_k, acc) for k ascending; then C = acc, or C = C + acc when
/// <paramref name="add"/>. Every GEMM path in this library uses exactly this order, so results do not depend on the path.
/// </summary>
internal static unsafe class MicroKernel
{
    public const int MR = 6, NR = 16;

    /// <summary>True when the vector kernel can run (AVX2 + FMA); otherwise <see cref="RunScalar"/> is used.</summary>
    public static readonly bool IsVectorized = Avx2.IsSupported && Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TRows, TB>(int kc, float* a, void* b, float* c, nint ldc, bool add)
        where TRows : struct, IRowCount where TB : struct, IPanelLoad
    {
        // Prefetch the C tile: rows 4 KiB apart alias in L1 without it (dotnet.md §1.1: +25 %).
        Sse.Prefetch0(c); Sse.Prefetch0(c + 15);
        if (TRows.Value > 1) { Sse.Prefetch0(c + ldc); Sse.Prefetch0(c + ldc + 15); }
        if (TRows.Value > 2) { Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + 15); }
        if (TRows.Value > 3) { Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + 15); }
        if (TRows.Value > 4) { Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + 15); }
        if (TRows.Value > 5) { Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + 15); }

        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint bi = 0;
        for (int k = 0; k < kc; k++, a += MR, bi += NR)
        {
            Vector256<float> b0 = TB.Load(b, bi), b1 = TB.Load(b, bi + 8), av;
            av = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            if (TRows.Value > 1) { av = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11); }
            if (TRows.Value > 2) { av = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21); }
            if (TRows.Value > 3) { av = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31); }
            if (TRows.Value > 4) { av = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41); }
            if (TRows.Value > 5) { av = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51); }
        }

        StoreRow(c, c00, c01, add);
        if (TRows.Value > 1) StoreRow(c + ldc, c10, c11, add);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c20, c21, add);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c30, c31, add);
        if (TRows.Value > 4) StoreRow(c + 4 * ldc, c40, c41, add);
        if (TRows.Value > 5) StoreRow(c + 5 * ldc, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, bool add)
    {
        if (add) { lo = Vector256.Load(c) + lo; hi = Vector256.Load(c + 8) + hi; }
        Vector256.Store(lo, c);
        Vector256.Store(hi, c + 8);
    }

    /// <summary>Dispatches on the live row count (1..6) and the panel element type.</summary>
    public static void Run(int rows, bool bf16, int kc, float* a, void* b, float* c, nint ldc, bool add)
    {
        if (!IsVectorized) { RunScalar(rows, bf16, kc, a, b, c, ldc, add); return; }
        if (bf16)
        {
            switch (rows)
            {
                case 6: Run<Rows6, Bf16Panel>(kc, a, b, c, ldc, add); break;
                case 5: Run<Rows5, Bf16Panel>(kc, a, b, c, ldc, add); break;
                case 4: Run<Rows4, Bf16Panel>(kc, a, b, c, ldc, add); break;
                case 3: Run<Rows3, Bf16Panel>(kc, a, b, c, ldc, add); break;
                case 2: Run<Rows2, Bf16Panel>(kc, a, b, c, ldc, add); break;
                default: Run<Rows1, Bf16Panel>(kc, a, b, c, ldc, add); break;
            }
            return;
        }
        switch (rows)
        {
            case 6: Run<Rows6, F32Panel>(kc, a, b, c, ldc, add); break;
            case 5: Run<Rows5, F32Panel>(kc, a, b, c, ldc, add); break;
            case 4: Run<Rows4, F32Panel>(kc, a, b, c, ldc, add); break;
            case 3: Run<Rows3, F32Panel>(kc, a, b, c, ldc, add); break;
            case 2: Run<Rows2, F32Panel>(kc, a, b, c, ldc, add); break;
            default: Run<Rows1, F32Panel>(kc, a, b, c, ldc, add); break;
        }
    }

    /// <summary>Portable fallback with the same summation order (MathF.FusedMultiplyAdd is the same correctly rounded FMA).</summary>
    public static void RunScalar(int rows, bool bf16, int kc, float* a, void* b, float* c, nint ldc, bool add)
    {
        float* acc = stackalloc float[NR];
        for (int r = 0; r < rows; r++)
        {
            new Span<float>(acc, NR).Clear();
            for (int k = 0; k < kc; k++)
            {
                float av = a[k * MR + r];
                for (int j = 0; j < NR; j++)
                {
                    float bv = bf16 ? HalfPrecision.Bf16ToSingle(((ushort*)b)[k * NR + j]) : ((float*)b)[k * NR + j];
                    acc[j] = MathF.FusedMultiplyAdd(av, bv, acc[j]);
                }
            }
            float* cr = c + r * ldc;
            for (int j = 0; j < NR; j++) cr[j] = add ? cr[j] + acc[j] : acc[j];
        }
    }
}
