using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Tests.Descriptions;

public class DescriptionSourcesTests
{
    const string WeightLensJson = """
        [
          {"feature": {"layer": 0, "feature_idx": 7}, "description": [" cat", " dog"], "validation": true,
           "output_logits": {"top_positive_tokens": [" meow"], "top_negative_tokens": [" car"]}, "description_soft": [" cat"]},
          {"feature": {"layer": 0, "feature_idx": 8}, "description": [" x"], "validation": false},
          {"feature": {"layer": 0, "feature_idx": 9}, "description": null, "validation": false}
        ]
        """;

    [Fact]
    public void WeightLens_AuthorsFormat_ValidatedOnlyDescribed()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-wl");
        File.WriteAllText(WeightLensDescriptions.LayerFile(dir, 0), WeightLensJson);
        var records = WeightLensDescriptions.Load(dir, [0, 1]);
        Assert.Equal(3, records.Count);
        var wl = DescriptionMethods.FromWeightLens(new FeatureId(0, 7), records[new FeatureId(0, 7)]);
        Assert.Equal([" cat", " dog"], wl.Tokens);
        Assert.Equal([" cat", " dog", " meow"], DescriptionMethods.FromWeightLens(new FeatureId(0, 7), records[new FeatureId(0, 7)], withOutput: true).Tokens);
        Assert.False(DescriptionMethods.FromWeightLens(new FeatureId(0, 8), records[new FeatureId(0, 8)]).IsDescribed);
        Assert.False(DescriptionMethods.FromWeightLens(new FeatureId(0, 9), records[new FeatureId(0, 9)]).IsDescribed);
        Assert.False(DescriptionMethods.FromWeightLens(new FeatureId(0, 10), null).IsDescribed);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void WeightLens_Malformed_OneLineError()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-wl");
        string file = WeightLensDescriptions.LayerFile(dir, 0);
        File.WriteAllText(file, "[{\"description\": []}]");
        var e = Assert.Throws<CircuitInsightsException>(() => WeightLensDescriptions.Load(dir, [0]));
        Assert.Contains("feature{layer, feature_idx}", e.Message);
        File.WriteAllText(file, "[{");
        Assert.Contains("not valid JSON", Assert.Throws<CircuitInsightsException>(() => WeightLensDescriptions.Load(dir, [0])).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void External_NeuronpediaFormats()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-ext");
        string file = Path.Combine(dir, "np.json");
        File.WriteAllText(file, """
            [{"modelId": "gemma-2-2b", "layer": "3-gemmascope-transcoder-16k", "index": "12", "description": "days of the week like \"Monday\""},
             {"layer": 3, "index": 12, "description": "second label is ignored"},
             {"layer": 4, "feature": 2, "explanation": "colours"},
             {"layer": 5, "index": 1, "explanations": [{"description": "numbers"}]}]
            """);
        var labels = ExternalLabels.Load(file);
        Assert.Equal("days of the week like \"Monday\"", labels[new FeatureId(3, 12)].Text);
        Assert.Equal(["Monday"], labels[new FeatureId(3, 12)].Tokens);
        Assert.Equal("colours", labels[new FeatureId(4, 2)].Text);
        Assert.Equal("numbers", labels[new FeatureId(5, 1)].Text);
        File.WriteAllText(file, """[{"layer": 1, "description": "no index"}]""");
        Assert.Contains("record 1", Assert.Throws<CircuitInsightsException>(() => ExternalLabels.Load(file)).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Combine_UnionOfTokens()
    {
        var f = new FeatureId(1, 2);
        var wl = new FeatureDescription { Method = "wl", Feature = f, Tokens = [" cat"] };
        var cl = new FeatureDescription { Method = "cl", Feature = f, Text = "fires on \"dog\"", Tokens = [" dog", " cat"] };
        var both = DescriptionMethods.Combine(wl, cl);
        Assert.Equal([" cat", " dog"], both.Tokens);
        Assert.Contains("CircuitLens: fires on", both.Text);
        Assert.False(DescriptionMethods.Combine(FeatureDescription.None("wl", f), FeatureDescription.None("cl", f)).IsDescribed);
    }
}
