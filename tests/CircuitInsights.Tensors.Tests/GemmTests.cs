using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

/// <summary>
/// <see cref="Gemm"/> against <see cref="NaiveGemm"/> (double accumulation). Tolerance: the rigorous fp32 bound for a
/// sum of K products, |C − C_ref| ≤ (K + 2)·2⁻²⁴·(Σ_k |a_ik||b_kj| + |C₀_ij|) (C₀: the initial C when accumulating);
/// an indexing or packing bug produces errors of order Σ/K, far above it.
/// </summary>
public class GemmTests
{
    static readonly int[] EdgeSizes = [1, 2, 3, 5, 6, 7, 15, 16, 17, 31, 33, 255, 256, 257, 300];
    static readonly int[] SmallSizes = [1, 2, 3, 5, 6, 7, 15, 16, 17, 31, 33];

    /// <summary>Runs Gemm.Multiply and the naive oracle on the same inputs and checks the documented bound.</summary>
    static void CheckAgainstNaive(MatrixRef a, MatrixRef b, bool accumulate, int ldcPad, Random rng, bool packed = false)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols, ldc = n + ldcPad;
        var c0 = TestMatrices.RandomArray(rng, m * ldc);
        var c = (float[])c0.Clone();
        var cRef = (float[])c0.Clone();
        if (packed)
        {
            using var pb = PackedMatrix.Pack(b);
            Gemm.Multiply(a, pb, c, ldc, accumulate);
        }
        else Gemm.Multiply(a, b, c, ldc, accumulate);
        NaiveGemm.Multiply(a, b, cRef, ldc, accumulate);
        var scale = TestMatrices.AbsProducts(a, b);
        double u = Math.Pow(2, -24) * (k + 2);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double tol = u * (scale[i * n + j] + (accumulate ? Math.Abs(c0[i * ldc + j]) : 0)) + 1e-30;
                double err = Math.Abs(c[i * ldc + j] - cRef[i * ldc + j]);
                if (!(err <= tol))
                    Assert.Fail($"[{m}x{k}]·[{k}x{n}] {a.DType}{(a.ColStride != 1 ? "ᵀ" : "")}·{b.DType}{(b.ColStride != 1 ? "ᵀ" : "")} acc={accumulate} packed={packed}: C[{i},{j}] = {c[i * ldc + j]}, expected {cRef[i * ldc + j]} (err {err:g3} > tol {tol:g3})");
            }
            for (int j = n; j < ldc && i < m - 1; j++)
                Assert.Equal(c0[i * ldc + j], c[i * ldc + j]); // the gap between rows is untouched
        }
    }

    [Fact]
    public void Multiply_AllSmallSizeCombinations_MatchesNaive()
    {
        var rng = new Random(101);
        foreach (int m in SmallSizes)
            foreach (int k in SmallSizes)
                foreach (int n in SmallSizes)
                    CheckAgainstNaive(TestMatrices.Random(rng, m, k), TestMatrices.Random(rng, k, n), accumulate: (m + n + k) % 2 == 0, ldcPad: n % 3, rng);
    }

    [Fact]
    public void Multiply_SampledEdgeSizesAllLayouts_MatchesNaive()
    {
        var rng = new Random(202);
        DType[] types = [DType.F32, DType.BF16, DType.F16];
        for (int trial = 0; trial < 60; trial++)
        {
            int m = EdgeSizes[rng.Next(EdgeSizes.Length)], k = EdgeSizes[rng.Next(EdgeSizes.Length)], n = EdgeSizes[rng.Next(EdgeSizes.Length)];
            if ((long)m * k * n > 8_000_000) { m = Math.Min(m, 33); }
            var a = TestMatrices.Random(rng, m, k, types[rng.Next(3)], transposed: rng.Next(2) == 0);
            var b = TestMatrices.Random(rng, k, n, types[rng.Next(3)], transposed: rng.Next(2) == 0);
            CheckAgainstNaive(a, b, accumulate: rng.Next(2) == 0, ldcPad: rng.Next(3), rng, packed: rng.Next(2) == 0);
        }
    }

    public static TheoryData<DType, bool, DType, bool, bool> LayoutCases()
    {
        var data = new TheoryData<DType, bool, DType, bool, bool>();
        foreach (var ta in new[] { DType.F32, DType.BF16, DType.F16 })
            foreach (var tb in new[] { DType.F32, DType.BF16, DType.F16 })
                foreach (bool transA in new[] { false, true })
                    foreach (bool transB in new[] { false, true })
                        data.Add(ta, transA, tb, transB, (ta == tb) ^ transA);
        return data;
    }

    [Theory]
    [MemberData(nameof(LayoutCases))]
    public void Multiply_DTypeAndTransposeCombination_MatchesNaive(DType typeA, bool transA, DType typeB, bool transB, bool accumulate)
    {
        var rng = new Random(303 + (int)typeA * 7 + (int)typeB * 13 + (transA ? 1 : 0) + (transB ? 2 : 0));
        foreach (var (m, k, n) in new[] { (33, 257, 31), (7, 300, 17), (1, 16, 300), (13, 5, 40) })
        {
            var a = TestMatrices.Random(rng, m, k, typeA, transA);
            var b = TestMatrices.Random(rng, k, n, typeB, transB);
            CheckAgainstNaive(a, b, accumulate, ldcPad: 2, rng, packed: false);
            CheckAgainstNaive(a, b, accumulate, ldcPad: 0, rng, packed: true);
        }
    }

    [Theory]
    [InlineData(DType.F32, false)]
    [InlineData(DType.F32, true)]
    [InlineData(DType.BF16, false)]
    [InlineData(DType.BF16, true)]
    [InlineData(DType.F16, false)]
    [InlineData(DType.F16, true)]
    public void Multiply_PackedB_BitwiseEqualsUnpacked(DType typeB, bool transB)
    {
        var rng = new Random(404);
        // K = 600 spans three reduction blocks, N = 4200 two column blocks of the packed layout.
        var a = TestMatrices.Random(rng, 9, 600);
        var b = TestMatrices.Random(rng, 600, 4200, typeB, transB);
        var c1 = new float[9 * 4200];
        var c2 = new float[9 * 4200];
        Gemm.Multiply(a, b, c1, 4200);
        using var packed = PackedMatrix.Pack(b);
        Gemm.Multiply(a, packed, c2, 4200);
        Assert.Equal(c1, c2);
    }

    [Theory]
    [InlineData(200, 300, 600)]   // column slices
    [InlineData(2000, 100, 20)]   // row slices (narrow N)
    [InlineData(3, 700, 5000)]    // few rows, wide N
    public void Multiply_ThreadCount_BitwiseIdentical(int m, int k, int n)
    {
        var rng = new Random(505);
        var a = TestMatrices.Random(rng, m, k);
        var b = TestMatrices.Random(rng, k, n, DType.BF16);
        float[] Run(int threads, bool packed)
        {
            using var _ = ComputeSettings.UseThreads(threads);
            var c = new float[m * n];
            if (packed) { using var p = PackedMatrix.Pack(b); Gemm.Multiply(a, p, c, n); }
            else Gemm.Multiply(a, b, c, n);
            return c;
        }
        var one = Run(1, false);
        Assert.Equal(one, Run(2, false));
        Assert.Equal(one, Run(3, false));
        Assert.Equal(one, Run(2, true));
        Assert.Equal(one, Run(1, true));
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.BF16)]
    public void Multiply_FewRowsUnpackedB_BitwiseEqualsPackedPathAndMatchesNaive(DType typeB)
    {
        // M ≤ 5 with row-contiguous B takes the streaming path; it must agree bit for bit with the blocked kernel
        var rng = new Random(808);
        using var threads = ComputeSettings.UseThreads(2);
        foreach (int m in new[] { 1, 2, 3, 4, 5 })
            foreach (var (k, n) in new[] { (1, 7), (3, 37), (257, 1000), (600, 1003) })
            {
                var a = TestMatrices.Random(rng, m, k, transposed: m % 2 == 0);
                var b = TestMatrices.Random(rng, k, n, typeB);
                foreach (bool accumulate in new[] { false, true })
                {
                    var c0 = TestMatrices.RandomArray(rng, m * n);
                    var c1 = (float[])c0.Clone();
                    var c2 = (float[])c0.Clone();
                    Gemm.Multiply(a, b, c1, n, accumulate);
                    using (var packed = PackedMatrix.Pack(b)) Gemm.Multiply(a, packed, c2, n, accumulate);
                    Assert.Equal(c2, c1);
                }
                CheckAgainstNaive(a, b, accumulate: false, ldcPad: 3, rng);
            }
    }

    [Fact]
    public void Multiply_RowComputedAlone_BitwiseEqualsRowInBatch()
    {
        var rng = new Random(606);
        var a = TestMatrices.Random(rng, 50, 520);
        var b = TestMatrices.Random(rng, 520, 70);
        var all = new float[50 * 70];
        Gemm.Multiply(a, b, all, 70);
        foreach (int i in new[] { 0, 5, 6, 49 })
        {
            var row = new float[70];
            Gemm.Multiply(a.Slice(i, 1, 0, 520), b, row, 70);
            Assert.Equal(all.AsSpan(i * 70, 70).ToArray(), row);
        }
    }

    [Fact]
    public void Multiply_ZeroInnerDimension_ZeroesOrKeepsC()
    {
        var a = MatrixRef.FromF32(new float[1], 3, 0);
        var b = MatrixRef.FromF32(new float[1], 0, 4);
        var c = Enumerable.Repeat(7f, 12).ToArray();
        Gemm.Multiply(a, b, c, 4, accumulate: true);
        Assert.All(c, v => Assert.Equal(7f, v));
        Gemm.Multiply(a, b, c, 4);
        Assert.All(c, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Multiply_MismatchedShapes_Throws()
    {
        var rng = new Random(707);
        var a = TestMatrices.Random(rng, 4, 5);
        var b = TestMatrices.Random(rng, 6, 3);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b, new float[12], 3));
        var b2 = TestMatrices.Random(rng, 5, 3);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b2, new float[11], 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b2, new float[12], 2));
    }

    [Fact]
    public void Multiply_NonFiniteInputs_PropagateLikeNaive()
    {
        var av = new float[] { 1, float.PositiveInfinity, 2, 3, float.NaN, 0 };
        var bv = new float[] { 1, 2, 0, 1, 1, 1 };
        var a = MatrixRef.FromF32(av, 2, 3);
        var b = MatrixRef.FromF32(bv, 3, 2);
        var c = new float[4];
        var cRef = new float[4];
        Gemm.Multiply(a, b, c, 2);
        NaiveGemm.Multiply(a, b, cRef, 2);
        Assert.Equal(cRef, c);
        Assert.True(float.IsNaN(c[0])); // inf·0
    }
}
