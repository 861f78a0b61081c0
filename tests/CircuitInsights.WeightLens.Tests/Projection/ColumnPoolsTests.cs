using CircuitInsights.Testing;
using CircuitInsights.WeightLens.Projection;

namespace CircuitInsights.WeightLens.Tests.Projection;

public class ColumnPoolsTests
{
    const int Rows = 1000, Cols = 37, RowBlock = 64, K = 50;

    static float[] Matrix(int seed, bool ties)
    {
        var m = TestRandom.Normal(new Random(seed), Rows * Cols);
        if (ties) for (int i = 0; i < m.Length; i++) m[i] = MathF.Round(m[i] * 4) / 4; // many equal values
        m[17] = float.NaN;
        m[Cols + 3] = -0f;
        return m;
    }

    static ColumnPools Feed(float[] m, int seed, float scale = 1f)
    {
        var pools = new ColumnPools(Cols, Rows, RowBlock, K, top: true, bottom: true);
        var tiles = new List<(int Row, int Col, int Cols)>();
        for (int r = 0; r < Rows; r += RowBlock)
            for (int c = 0; c < Cols; c += 16) tiles.Add((r, c, Math.Min(16, Cols - c)));
        var rng = new Random(seed);
        foreach (var (r, c, w) in tiles.OrderBy(_ => rng.Next()))
        {
            int rows = Math.Min(RowBlock, Rows - r);
            var tile = new float[rows * Cols];
            for (int i = 0; i < rows; i++) Array.Copy(m, (r + i) * Cols + c, tile, i * Cols, w);
            pools.Add(tile, rows, Cols, r, c, w, scale);
        }
        return pools;
    }

    static (int[] Rows, float[] Values) Naive(float[] m, int col, bool top, float scale)
    {
        var entries = Enumerable.Range(0, Rows).Select(r => (Row: r, Value: m[r * Cols + col] * scale)).Where(e => !float.IsNaN(e.Value))
            .OrderBy(e => top ? -e.Value : e.Value).ThenBy(e => e.Row).Take(K).ToArray();
        return (entries.Select(e => e.Row).ToArray(), entries.Select(e => e.Value).ToArray());
    }

    [Theory]
    [InlineData(false, 1f)]
    [InlineData(true, 1f)]
    [InlineData(false, 48f)]
    public void Pools_EqualFullSortTopAndBottomK(bool ties, float scale)
    {
        var m = Matrix(3, ties);
        var pools = Feed(m, 5, scale);
        var values = new float[K];
        var rows = new int[K];
        for (int c = 0; c < Cols; c++)
        {
            foreach (bool top in new[] { true, false })
            {
                int n = top ? pools.Top(c, values, rows) : pools.Bottom(c, values, rows);
                var (er, ev) = Naive(m, c, top, scale);
                Assert.Equal(er, rows.Take(n));
                Assert.Equal(ev, values.Take(n));
            }
            double abs = Enumerable.Range(0, Rows).Sum(r => Math.Abs((double)m[r * Cols + c] * scale));
            if (!double.IsNaN(abs)) Assert.Equal(abs, pools.AbsSum(c), abs * 1e-6);
        }
    }

    [Fact]
    public void Pools_IndependentOfTileOrder_Bitwise()
    {
        var m = Matrix(9, ties: true);
        var a = Feed(m, 1);
        var b = Feed(m, 2);
        var va = new float[K]; var ra = new int[K]; var vb = new float[K]; var rb = new int[K];
        for (int c = 0; c < Cols; c++)
        {
            Assert.Equal(a.AbsSum(c), b.AbsSum(c));
            a.Top(c, va, ra); b.Top(c, vb, rb);
            Assert.Equal(ra, rb);
            a.Bottom(c, va, ra); b.Bottom(c, vb, rb);
            Assert.Equal(ra, rb);
        }
    }

    [Fact]
    public void Pools_SpeculationDefeatedByAdversarialOrder_ReportedInexact()
    {
        // column 0 arrives in descending order (the first rows hold the largest values): the speculative threshold after
        // the first rows is far above the true 1000th value, so the pool cannot be exact; column 1 is random
        const int rows = 20000, k = 1000, rowBlock = 256;
        var rng = new Random(4);
        var data = new float[rows * 2];
        for (int r = 0; r < rows; r++) { data[r * 2] = rows - r; data[r * 2 + 1] = (float)rng.NextDouble(); }
        var pools = new ColumnPools(2, rows, rowBlock, k, top: true, bottom: true);
        for (int r0 = 0; r0 < rows; r0 += rowBlock) pools.Add(data.AsSpan(r0 * 2), Math.Min(rowBlock, rows - r0), 2, r0, 0, 2);
        Assert.False(pools.IsExact(0, top: true));
        Assert.True(pools.IsExact(0, top: false));
        Assert.True(pools.IsExact(1, top: true));
        Assert.True(pools.IsExact(1, top: false));
        var values = new float[k]; var got = new int[k];
        Assert.Equal(k, pools.Top(1, values, got));
        Assert.Equal(Enumerable.Range(0, rows).OrderByDescending(r => data[r * 2 + 1]).ThenBy(r => r).Take(k), got);
    }

    [Fact]
    public void ExactPool_EqualsFullSortOfTheProduct()
    {
        var rng = new Random(8);
        var a = TestRandom.Normal(rng, 3000 * 16);
        var b = TestRandom.Normal(rng, 16);
        var values = new float[100]; var rows = new int[100];
        int n = LayerProjector.ExactPool(CircuitInsights.Tensors.MatrixRef.FromF32(a, 3000, 16), b, 2f, 100, top: false, values, rows);
        Assert.Equal(100, n);
        var exact = new float[3000];
        CircuitInsights.Tensors.Gemm.Multiply(CircuitInsights.Tensors.MatrixRef.FromF32(a, 3000, 16), CircuitInsights.Tensors.MatrixRef.FromF32(b, 16, 1), exact, 1);
        var order = Enumerable.Range(0, 3000).OrderBy(r => exact[r] * 2f).ThenBy(r => r).Take(100).ToArray();
        Assert.Equal(order, rows);
        Assert.Equal(order.Select(r => exact[r] * 2f), values);
    }

    [Fact]
    public void PoolKey_OrdersByValueThenRow()
    {
        float[] values = [-3f, -0f, 0f, 1e-30f, 2f, float.MaxValue, float.NegativeInfinity];
        foreach (bool largest in new[] { true, false })
            foreach (float v in values)
                Assert.Equal(v == 0 ? 0f : v, PoolKey.Value(PoolKey.Encode(v, 7, largest), largest));
        Assert.True(PoolKey.Encode(2f, 9, true) < PoolKey.Encode(1f, 0, true));
        Assert.True(PoolKey.Encode(1f, 0, true) < PoolKey.Encode(1f, 1, true));
        Assert.True(PoolKey.Encode(-1f, 5, false) < PoolKey.Encode(1f, 0, false));
        Assert.Equal(PoolKey.Encode(-0f, 3, true), PoolKey.Encode(0f, 3, true));
        var keys = Enumerable.Range(0, 500).Select(i => (ulong)new Random(i).NextInt64()).ToArray();
        var sorted = keys.Order().ToArray();
        PoolKey.SelectSmallest(keys, 123);
        Assert.Equal(sorted.Take(123).Order(), keys.Take(123).Order());
        Assert.Equal(sorted[122], keys[122]);
    }

    [Fact]
    public void ZScoreOutliers_PrefixWithinPool()
    {
        float[] pool = [10f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f];
        var (mean, std) = ZScoreOutliers.Statistics(pool);
        Assert.Equal(1.9, mean, 12);
        Assert.Equal(Math.Sqrt((8.1 * 8.1 + 9 * 0.9 * 0.9) / 9), std, 12);
        Assert.Equal(1, ZScoreOutliers.LeadingOutliers(pool, 2.5, top: true));
        Assert.Equal(0, ZScoreOutliers.LeadingOutliers(pool, 3.0, top: true));
        Assert.Equal(0, ZScoreOutliers.LeadingOutliers([1f, 1f, 1f], 0.1, top: true)); // no spread
        Assert.Equal(0, ZScoreOutliers.LeadingOutliers([5f], 0.1, top: true));
        Assert.Equal(1, ZScoreOutliers.LeadingOutliers([-10f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f], 2.5, top: false));
    }
}
