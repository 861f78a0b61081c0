using CircuitInsights.Testing;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;

namespace CircuitInsights.WeightLens.Tests.Output;

public class FeatureRecordJsonTests
{
    internal static FeatureRecord Sample(int index, bool described = true) => new()
    {
        Layer = 2, FeatureIdx = index,
        TopPositiveTokens = [" cat", "é"], TopPositiveTokenIds = [3797, 2634], TopPositiveTokensContribution = [1.5f, 1.25f],
        TopPositiveTokensRelativeContribution = [(double)(1.5f / 1234.5f), (double)(1.25f / 1234.5f)], PositiveTokensActivation = [2.25f, 0],
        TopNegativeTokens = [], TopNegativeTokensIds = [], TopNegativeTokensContribution = [], TopNegativeTokensRelativeContribution = [],
        OutputTopPositiveTokens = [" Paris"], OutputTopNegativeTokens = [],
        FeatureToFeatureContributions = [new FeatureContribution(0, 17, 0.75f, 0.75 / 1234.5)],
        TotalInputInvariantDetectedContribution = 0.0021, TotalInputInvariantContribution = 1234.5,
        DescriptionSoft = described ? [" cat"] : null, Description = described ? [" cat"] : null, Validation = described, ValidationSoft = described ? 1.0 : 0.0,
    };

    [Fact]
    public void WriteThenRead_RoundTripsByteForByte()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-wl-json");
        try
        {
            string a = Path.Combine(dir, "a.json"), b = Path.Combine(dir, "b.json");
            FeatureRecordJson.WriteFile(a, [Sample(5), Sample(1, described: false)]);
            var read = FeatureRecordJson.ReadFile(a);
            Assert.Equal([1, 5], read.Select(r => r.FeatureIdx));
            FeatureRecordJson.WriteFile(b, read);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Write_UsesTheAuthorsKeyOrder()
    {
        string json = FeatureRecordJson.ToJson(Sample(1));
        string[] keys = ["\"feature\"", "\"embedding\"", "\"top_positive_tokens\"", "\"top_negative_tokens\"", "\"positive_tokens_activation\"",
            "\"top_positive_token_ids\"", "\"top_positive_tokens_contribution\"", "\"top_negative_tokens_ids\"", "\"top_negative_tokens_contribution\"",
            "\"top_positive_tokens_relative_contribution\"", "\"top_negative_tokens_relative_contribution\"", "\"output_logits\"",
            "\"feature_to_feature_contributions\"", "\"from_layer\"", "\"from_feature_idx\"", "\"contribution\"", "\"relative_contribution\"",
            "\"total_input_invariant_detected_contribution\"", "\"total_input_invariant_contribution\"", "\"description_soft\"", "\"description\"",
            "\"validation\"", "\"validation_soft\""];
        int at = 0;
        foreach (var k in keys)
        {
            int next = json.IndexOf(k + ":", at, StringComparison.Ordinal);
            Assert.True(next >= at, $"{k} missing or out of order");
            at = next;
        }
        Assert.Contains("\"\\u00e9\"", json);
    }

    [Fact]
    public void ReadFile_MalformedRecord_ThrowsOneLineNamingTheFile()
    {
        string dir = CheckpointDirectory.CreateTemp("ci-wl-json");
        try
        {
            string path = Path.Combine(dir, "feature_analysis_layer_0.json");
            File.WriteAllText(path, "[{\"feature\": {\"layer\": 0}}]");
            var e = Assert.Throws<CircuitInsightsException>(() => FeatureRecordJson.ReadFile(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("feature_idx", e.Message);
            File.WriteAllText(path, "[{\"feature\": ");
            Assert.Throws<CircuitInsightsException>(() => FeatureRecordJson.ReadFile(path));
        }
        finally { Directory.Delete(dir, true); }
    }
}
