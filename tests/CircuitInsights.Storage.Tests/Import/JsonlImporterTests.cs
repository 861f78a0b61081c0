using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Import;

public class JsonlImporterTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    string File(string text)
    {
        string path = Path.Combine(_data.Root, Guid.NewGuid().ToString("N") + ".jsonl");
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Import_ScoresAndExternalDescriptions_LandOnTheFeaturePage()
    {
        string db = _data.NewDb();
        var scores = File("""
            {"layer": 3, "feature": 9, "method": "weightlens", "metric": "detection_f1", "value": 0.5, "details": {"n": 40}}

            {"layer": 3, "feature": 9, "method": "circuitlens", "metric": "detection_f1", "value": 0.75}
            """);
        var descriptions = File("""
            {"layer": 3, "feature": 9, "text": "dates in <b>tables</b>"}
            {"layer": 3, "feature": 9, "text": "max-activating summary", "method": "maxact", "source": "llm"}
            """);
        var summary = StoreTestData.Import(db, new ImportOptions { Scores = [scores], Descriptions = [descriptions] });
        Assert.Equal((2, 2), (summary.Scores, summary.Descriptions));
        using var store = FeatureStore.Open(db);
        var page = store.Feature(3, 9)!;
        Assert.Equal(new[] { 0.75, 0.5 }, page.Scores.Select(s => s.Value));
        Assert.Equal(40, page.Scores[1].Details!.Value.GetProperty("n").GetInt32());
        Assert.Equal(new[] { ("external", "dates in <b>tables</b>"), ("maxact", "max-activating summary") }, page.Descriptions.Select(d => (d.Method, d.Text)));
        Assert.Equal("max-activating summary", store.BestDescription(3, 9)); // maxact ranks above external
        Assert.Contains(store.Search("tables"), h => (h.Layer, h.Index) == (3, 9));
    }

    [Theory]
    [InlineData("""{"layer": 0, "feature": 1, "method": "m", "metric": "x"}""", "'value' must be a number")]
    [InlineData("""{"layer": -1, "feature": 1, "method": "m", "metric": "x", "value": 1}""", "'layer' must be a non-negative integer")]
    [InlineData("""not json""", ":1: invalid JSON")]
    [InlineData("""[1]""", "expected a JSON object")]
    public void Import_BadScoreLine_NamesFileAndLine(string line, string expected)
    {
        string path = File("\n" + line + "\n");
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(_data.NewDb(), new ImportOptions { Scores = [path] }));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected.Replace(":1:", ":2:"), e.Message);
    }

    [Fact]
    public void Import_DescriptionWithUnknownMethod_IsRefused()
    {
        string path = File("""{"layer": 0, "feature": 1, "text": "x", "method": "guess"}""");
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(_data.NewDb(), new ImportOptions { Descriptions = [path] }));
        Assert.Contains("method 'guess'", e.Message);
    }
}
