using System.Text.Json;
using CircuitInsights.Demo;
using CircuitInsights.Storage.Query;
using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests.Commands;

/// <summary>The main job end to end on a freshly generated demo model: every method must recover the planted circuits,
/// the store must hold every output, and <c>score-groundtruth</c> must reproduce the scores from the folder alone.</summary>
public class DemoCommandTests(DemoCliFixture demo) : IClassFixture<DemoCliFixture>
{
    [Fact]
    public void Demo_RecoversEveryPlantedCircuit_AndScoreGroundTruthAgrees()
    {
        string run = CheckpointDirectory.CreateTemp("ci-demo-run");
        try
        {
            var (code, output, err) = DemoCliFixture.Run("demo", "--out", run, "--model-dir", demo.Directory, "--max-tokens", "24000", "--background-features", "1");
            Assert.True(code == 0, err);
            Assert.Contains("[6/6] feature store", err);
            Assert.Contains("circuit-insights serve --run", output);

            var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, GroundTruthReport.FileName))).RootElement;
            var wl = report.GetProperty("weight_lens");
            foreach (var part in new[] { "input_tokens", "output_tokens", "upstream_links" })
            {
                Assert.True(wl.GetProperty(part).GetProperty("precision").GetDouble() >= 0.95, $"{part} precision");
                Assert.True(wl.GetProperty(part).GetProperty("recall").GetDouble() >= 0.95, $"{part} recall");
            }
            Assert.Equal(wl.GetProperty("explainable").GetInt32(), wl.GetProperty("explainable_validated").GetInt32());
            Assert.Equal(2, wl.GetProperty("unexplainable_rejected").GetInt32());
            var cl = report.GetProperty("circuit_lens");
            Assert.True(cl.GetProperty("top_contributor_share").GetDouble() >= 0.9, "CircuitLens top contributor");
            Assert.True(cl.GetProperty("polysemantic_ari").GetDouble() >= 0.8, "CircuitLens polysemantic ARI");
            var graph = report.GetProperty("graph");
            Assert.True(graph.GetProperty("edge_kept").GetBoolean());
            Assert.Equal(1, graph.GetProperty("source_rank").GetInt32());

            using (var store = FeatureStore.Open(Path.Combine(run, "store.sqlite")))
            {
                var overview = store.Overview();
                Assert.Single(overview.Graphs);
                Assert.Equal(demo.Manifest.Features.Count + 3, overview.Layers.Sum(l => l.WithCircuitLens));
                Assert.True(overview.Layers.All(l => l.WithWeightLens == l.Features), "every feature has a WeightLens record");
            }

            string json = Path.Combine(run, "rescored.json");
            (code, output, err) = DemoCliFixture.Run("score-groundtruth", "--manifest", demo.Directory, "--run", run, "--json", json);
            Assert.True(code == 0, err);
            Assert.Contains("planted edge 0_", output);
            Assert.Equal(File.ReadAllText(Path.Combine(run, GroundTruthReport.FileName)), File.ReadAllText(json));
        }
        finally { Directory.Delete(run, true); }
    }

    [Fact]
    public void ScoreGroundTruth_EmptyFolder_SaysWhatIsMissing()
    {
        string run = CheckpointDirectory.CreateTemp("ci-demo-empty");
        try
        {
            var (code, _, err) = DemoCliFixture.Run("score-groundtruth", "--manifest", demo.Directory, "--run", run);
            Assert.NotEqual(0, code);
            Assert.Contains("nothing to score", err);
        }
        finally { Directory.Delete(run, true); }
    }
}
