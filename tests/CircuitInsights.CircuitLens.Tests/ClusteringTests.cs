using CircuitInsights.CircuitLens.Clustering;

namespace CircuitInsights.CircuitLens.Tests;

public class ClusteringTests
{
    [Fact]
    public void Jaccard_HandComputed()
    {
        Assert.Equal(1.0 / 3, Jaccard.Similarity(new HashSet<int> { 1, 2 }, new HashSet<int> { 2, 3 }), 12);
        Assert.Equal(1, Jaccard.Similarity(new HashSet<int>(), new HashSet<int>()));
        Assert.Equal(0, Jaccard.Similarity(new HashSet<int> { 1 }, new HashSet<int>()));
    }

    [Fact]
    public void Dbscan_MatchesScikitLearnConventions()
    {
        // points on a line: two dense groups, one bridge-less outlier; eps 1.5, min_samples 3 (self included)
        double[] x = [0, 1, 2, 10, 11, 12, 13, 30];
        var d = new double[x.Length, x.Length];
        for (int i = 0; i < x.Length; i++) for (int j = 0; j < x.Length; j++) d[i, j] = Math.Abs(x[i] - x[j]);
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, -1], Dbscan.Cluster(d, 1.5, 3));
        // border point: 3 is within eps of core point 2 but is not core itself (min_samples 3)
        double[] y = [0, 1, 2, 3.4];
        var e = new double[4, 4];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) e[i, j] = Math.Abs(y[i] - y[j]);
        Assert.Equal([0, 0, 0, 0], Dbscan.Cluster(e, 1.5, 3));
        Assert.Equal([-1, -1, -1, -1], Dbscan.Cluster(e, 1.5, 5));
    }

    [Fact]
    public void AdjustedRandIndex_KnownValues()
    {
        Assert.Equal(1, AdjustedRandIndex.Compute([0, 0, 1, 1], [1, 1, 0, 0]), 12);
        // sklearn.metrics.adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
        Assert.Equal(0.5714285714285715, AdjustedRandIndex.Compute([0, 0, 1, 1], [0, 0, 1, 2]), 12);
        // by hand: every cell of the contingency table holds 1 → index 0; rows 3,3 → 3+3 = 6 pairs; columns 2,2,2 → 3 pairs;
        // expected = 6·3/C(6,2) = 1.2; max = (6+3)/2 = 4.5 → ARI = (0 − 1.2)/(4.5 − 1.2) = −4/11
        Assert.Equal(-4.0 / 11, AdjustedRandIndex.Compute([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]), 12);
    }
}
