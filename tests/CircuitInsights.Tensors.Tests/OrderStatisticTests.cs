namespace CircuitInsights.Tensors.Tests;

public class OrderStatisticTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(17, 8)]
    [InlineData(1000, 0)]
    [InlineData(1000, 999)]
    [InlineData(17280, 16588)]
    public void Select_MatchesTheSortedArray(int n, int rank)
    {
        var rng = new Random(n + rank);
        foreach (var make in new Func<int, float>[] { _ => (float)rng.NextDouble(), _ => rng.Next(5), i => i, i => -i })
        {
            var values = Enumerable.Range(0, n).Select(make).ToArray();
            var sorted = values.Order().ToArray();
            Assert.Equal(sorted[rank], OrderStatistic.Select(values.ToArray(), rank));
        }
    }

    [Fact]
    public void Select_RankOutsideTheSpan_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatistic.Select(new float[3], 3));
}
