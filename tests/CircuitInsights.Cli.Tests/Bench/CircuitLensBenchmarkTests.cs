using CircuitInsights.Bench.CircuitLensBench;

namespace CircuitInsights.Cli.Tests.Bench;

public class CircuitLensBenchmarkTests
{
    [Fact]
    public void Run_TinyShapes_TimesEveryPhaseAndProjects()
    {
        var log = new StringWriter();
        var r = CircuitLensBenchmark.Run(log, new CircuitLensBenchOptions
        {
            Tokens = 1200, Contexts = 3, Features = 2, Shards = 2, Layers = 2, TranscoderWidth = 256, ActivePerPosition = 8,
            CoactivationPairs = 2, ContextLength = 32, BatchSize = 4,
        });
        string output = log.ToString();
        Assert.InRange(r.Tokens, 1000, 1200);
        Assert.Equal(2, r.CacheShards.Length);
        Assert.NotNull(r.Merge);
        Assert.Equal(3, r.Contexts);
        Assert.True(r.ContextsPerSecond > 0 && r.PassTokensPerSecond >= r.CacheTokensPerSecond, output);
        Assert.InRange(r.Probe.MeanActivePerPosition, 1, 64);
        var p1 = r.Projection.Cache(1);
        var p8 = r.Projection.Cache(8);
        Assert.True(p8.ShardSeconds < p1.ShardSeconds && p8.MergeSeconds > 0 && p1.MergeSeconds == 0, output);
        Assert.Equal(r.Projection.CircuitLensSeconds(1) / 8, r.Projection.CircuitLensSeconds(8), 6);
        Assert.Equal(2 * 256 * 100L, r.Projection.TotalContexts);
        Assert.Equal([1, 16, 64], r.Sharing.TargetCounts);
        Assert.True(r.Projection.CircuitLensGroupedSeconds(1) > 0, output);
        Assert.Contains("contexts/s", output);
        Assert.Contains("projection: cache pass over 24,000,000 tokens", output);
    }
}
