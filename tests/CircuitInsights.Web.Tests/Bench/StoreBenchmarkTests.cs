using CircuitInsights.Bench.Store;
using CircuitInsights.Testing;

namespace CircuitInsights.Web.Tests.Bench;

/// <summary>
/// Explorer queries on a store at model scale. The suite runs one GPT-2 layer's worth (24576 features); set
/// CI_STORE_BENCH_LAYERS=12 for the full GPT-2-small size (docs/performance.md "Explorer").
/// </summary>
[Trait("Category", "Slow")]
public class StoreBenchmarkTests
{
    [Fact]
    public void Queries_OnAModelSizedStore_StayUnder200Milliseconds()
    {
        int layers = int.TryParse(Environment.GetEnvironmentVariable("CI_STORE_BENCH_LAYERS"), out int l) && l > 0 ? l : 1;
        string dir = CheckpointDirectory.CreateTemp("ci-storebench");
        try
        {
            var log = new StringWriter();
            var result = StoreBenchmark.Run(Path.Combine(dir, "bench.sqlite"), new StoreBenchOptions { Layers = layers, ContextFeatures = 500, Repetitions = 7 }, log);
            TestContext.Current.SendDiagnosticMessage(log.ToString());
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"store-bench-{layers}-layers.txt"), log.ToString());
            Assert.Equal(layers * 24576L, result.Features);
            foreach (var q in result.Queries)
            {
                Assert.True(q.MedianMs < 200, $"{q.Query}: median {q.MedianMs:F1} ms\n{log}");
                Assert.True(q.Results > 0 || q.Query.Contains("no match"), $"{q.Query}: no results");
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
