using System.Collections.Concurrent;
using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

public class ColumnTopKTests
{
    /// <summary>Column <paramref name="j"/> of a row-major [rows, cols] array.</summary>
    static float[] Column(float[] m, int rows, int cols, int j) => Enumerable.Range(0, rows).Select(i => m[i * cols + j]).ToArray();

    static void AssertColumnMatchesNaive(ColumnTopK top, float[] full, int rows, int cols, int j)
    {
        var col = Column(full, rows, cols, j);
        var (rowsRef, valsRef) = top.Largest ? NaiveKernels.TopK(col, top.K) : NaiveKernels.TopK(col.Select(v => -v).ToArray(), top.K);
        if (!top.Largest) valsRef = valsRef.Select(v => -v).ToArray();
        var (r, v) = top.Result(j);
        Assert.Equal(rowsRef, r);
        Assert.Equal(valsRef, v);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Add_TilesInAnyOrder_MatchesNaiveTopKPerColumn(bool largest)
    {
        var rng = new Random(11);
        int rows = 300, cols = 37, k = 5;
        var full = TestMatrices.RandomArray(rng, rows * cols);
        for (int i = 0; i < full.Length; i += 13) full[i] = MathF.Round(full[i] * 4) / 4; // ties
        full[5] = float.NaN; full[40] = float.PositiveInfinity; full[41] = float.NegativeInfinity;
        var top = new ColumnTopK(cols, k, largest);
        // tiles of 64 rows, in reverse row order, each split into two column ranges
        for (int r0 = (rows - 1) / 64 * 64; r0 >= 0; r0 -= 64)
        {
            int n = Math.Min(64, rows - r0);
            top.Add(full.AsSpan(r0 * cols + 20), n, cols, r0, 20, cols - 20);
            top.Add(full.AsSpan(r0 * cols), n, cols, r0, 0, 20);
        }
        for (int j = 0; j < cols; j++) AssertColumnMatchesNaive(top, full, rows, cols, j);
    }

    [Fact]
    public void Add_FewerRowsThanK_KeepsAllNonNaN()
    {
        var top = new ColumnTopK(2, 10);
        top.Add([1f, float.NaN, 3f, 2f], 2, 2, 0, 0, 2);
        Assert.Equal(2, top.Count(0));
        Assert.Equal(1, top.Count(1));
        var (rows, values) = top.Result(0);
        Assert.Equal(new[] { 1, 0 }, rows);
        Assert.Equal(new[] { 3f, 1f }, values);
    }

    [Fact]
    public void Merge_TwoHalves_EqualsOneInstance()
    {
        var rng = new Random(12);
        var full = TestMatrices.RandomArray(rng, 100 * 9);
        var whole = new ColumnTopK(9, 4);
        whole.Add(full, 100, 9, 0, 0, 9);
        var a = new ColumnTopK(9, 4);
        var b = new ColumnTopK(9, 4);
        a.Add(full, 50, 9, 0, 0, 9);
        b.Add(full.AsSpan(50 * 9), 50, 9, 50, 0, 9);
        a.Merge(b);
        for (int j = 0; j < 9; j++)
        {
            Assert.Equal(whole.Result(j).Rows, a.Result(j).Rows);
            Assert.Equal(whole.Result(j).Values, a.Result(j).Values);
        }
    }

    [Fact]
    public void Add_TileOutsideColumns_Throws()
    {
        var top = new ColumnTopK(4, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => top.Add(new float[8], 2, 4, 0, 2, 4));
        Assert.Throws<ArgumentException>(() => top.Add(new float[7], 2, 4, 0, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnTopK(4, 0));
    }

    [Theory]
    [InlineData(DType.F32, true)]
    [InlineData(DType.BF16, false)]
    public void MultiplyStreaming_FusedWithTopK_MatchesFullProduct(DType weightType, bool largest)
    {
        // WeightLens shape in miniature: W_E[V, D]·W_enc[D, F] streamed in row blocks, never held whole
        var rng = new Random(13);
        int v = 1000, d = 40, f = 300, k = 7;
        var we = TestMatrices.Random(rng, v, d, weightType);
        var wenc = TestMatrices.Random(rng, d, f, weightType, transposed: true);
        using var packed = PackedMatrix.Pack(wenc);
        using var threads = ComputeSettings.UseThreads(2);
        var full = new float[v * f];
        Gemm.Multiply(we, packed, full, f);

        var top = new ColumnTopK(f, k, largest);
        var seen = new ConcurrentDictionary<(int, int), int>();
        int active = 0, maxActivePerChunk = 0;
        Gemm.MultiplyStreaming(we, packed, 128, (firstRow, rows, firstColumn, columns, tile, ld) =>
        {
            Interlocked.Increment(ref active);
            maxActivePerChunk = Math.Max(maxActivePerChunk, seen.AddOrUpdate((firstRow, firstColumn), 1, (_, n) => n + 1));
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    Assert.Equal(full[(firstRow + r) * f + firstColumn + c], tile[r * ld + c]); // bitwise equal tiles
            top.Add(tile, rows, ld, firstRow, firstColumn, columns);
        });
        Assert.Equal(1, maxActivePerChunk); // each tile delivered exactly once
        Assert.Equal(v, seen.Where(p => p.Key.Item2 == 0).Sum(p => Math.Min(128, v - p.Key.Item1)));
        for (int j = 0; j < f; j++) AssertColumnMatchesNaive(top, full, v, f, j);
    }

    [Fact]
    public void MultiplyStreaming_SameColumnRange_NeverConcurrent()
    {
        var rng = new Random(14);
        var a = TestMatrices.Random(rng, 400, 64);
        using var b = PackedMatrix.Pack(TestMatrices.Random(rng, 64, 100));
        using var threads = ComputeSettings.UseThreads(4);
        var busy = new ConcurrentDictionary<int, int>();
        bool overlap = false;
        Gemm.MultiplyStreaming(a, b, 16, (firstRow, rows, firstColumn, columns, tile, ld) =>
        {
            if (busy.AddOrUpdate(firstColumn, 1, (_, n) => n + 1) > 1) overlap = true;
            Thread.SpinWait(2000);
            busy.AddOrUpdate(firstColumn, 0, (_, n) => n - 1);
        });
        Assert.False(overlap);
    }
}
