using System.Text.Json;
using CircuitInsights.Demo;
using CircuitInsights.Storage.Query;
using CircuitInsights.Testing;
using CircuitInsights.Testing.Llm;

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
            Assert.Contains("WL+CL descriptions; feature store", err);
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

            var lines = File.ReadAllLines(Path.Combine(run, "descriptions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var poly = demo.Manifest.Feature("after_weekday_or_number");
            var polyLine = lines.Single(l => l.GetProperty("layer").GetInt32() == poly.Layer && l.GetProperty("feature").GetInt32() == poly.Index);
            Assert.Equal(2, polyLine.GetProperty("clusters").GetArrayLength());
            Assert.Equal("wl+cl", polyLine.GetProperty("method").GetString());

            // describe with an LLM: one request per cluster and one merge per feature, then all answers from the cache
            using (var server = new MockChatServer(call => call.System.Contains("groups of contexts") ? "two senses: after a weekday; after a number" : "after \"Monday\""))
            {
                string described = Path.Combine(run, "llm.jsonl");
                string[] args = ["describe", "--run", run, "--features", $"{poly.Layer}:{poly.Index}", "--out", described, "--llm-endpoint", server.Endpoint, "--llm-model", "m"];
                (code, output, err) = DemoCliFixture.Run(args);
                Assert.True(code == 0, err);
                var line = JsonDocument.Parse(File.ReadAllLines(described).Single()).RootElement;
                Assert.Equal("wl+cl+llm", line.GetProperty("method").GetString());
                Assert.Equal("two senses: after a weekday; after a number", line.GetProperty("text").GetString());
                Assert.All(line.GetProperty("clusters").EnumerateArray(), c => Assert.Equal("after \"Monday\"", c.GetProperty("text").GetString()));
                Assert.Equal(3, server.Answered.Count);
                Assert.Contains(server.Answered, c => c.User.Contains("head 1.1 at Δ=-1") || c.User.Contains("head 1.2 at Δ=-1"));
                (code, output, err) = DemoCliFixture.Run(args);
                Assert.True(code == 0, err);
                Assert.Contains("0 requested, 3 from cache", output);
                Assert.Equal(3, server.Answered.Count);
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
