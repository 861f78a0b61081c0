using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Import;

public class WeightLensImporterTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    [Fact]
    public void Import_AuthorsFormat_KeepsColumnsLinksTokensAndDescription()
    {
        string db = _data.NewDb();
        var summary = StoreTestData.Import(db, new ImportOptions { WeightLensDir = _data.WeightLens(2, (5, [" cat", " dog"], [" cat", " dog"]), (9, [" red"], null)) });
        Assert.Equal(2, summary.WeightLensRecords);
        using var store = FeatureStore.Open(db);
        var wl = store.Feature(2, 5)!.WeightLens!;
        Assert.Equal(" cat |  dog", wl.Description);
        Assert.True(wl.Validation);
        Assert.Equal(0.3, wl.DetectedContribution);
        Assert.Equal(new[] { " cat", " dog" }, wl.InputTokens.Select(t => t.Text));
        Assert.Equal(100, wl.InputTokens[0].Id);
        Assert.Equal(2.0, wl.InputTokens[0].Activation);
        Assert.Equal(new[] { " Paris" }, wl.Promoted);
        Assert.Equal((1, 5), (wl.Upstream.Single().Layer, wl.Upstream.Single().Index));
        Assert.Contains(store.Feature(1, 5)!.Downstream, d => (d.Layer, d.Index) == (2, 5));
        Assert.Empty(store.Feature(2, 9)!.Descriptions); // description null: no weightlens description row
        Assert.Contains(store.Search("paris"), h => (h.Layer, h.Index) == (2, 5));
    }

    [Fact]
    public void Import_RecordWithoutFeatureKey_NamesFileAndRecord()
    {
        string dir = Path.Combine(_data.Root, "bad-wl");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "feature_analysis_layer_0.json"), """[{"feature": {"layer": 0, "feature_idx": 1}}, {"embedding": {}}]""");
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(_data.NewDb(), new ImportOptions { WeightLensDir = dir }));
        Assert.Contains("feature_analysis_layer_0.json: record 1", e.Message);
        Assert.Contains("'feature'", e.Message);
    }

    [Theory]
    [InlineData("{\"feature\": 1}", "expected a JSON list")]
    [InlineData("[{\"feature\": {\"layer\": 3, \"feature_idx\": 1}}]", "the file is for layer 0")]
    [InlineData("[{\"feature\": {\"layer\": 0, \"feature_idx\": 1}, \"embedding\": {\"top_positive_tokens\": [1, 2]}}]", "expected strings")]
    [InlineData("[{\"feature\": {\"layer\": 0, \"feature_idx\": 1}}, ", "invalid JSON")]
    public void Import_MalformedFile_ThrowsOneLineError(string json, string expected)
    {
        string dir = Path.Combine(_data.Root, "wl-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "feature_analysis_layer_0.json"), json);
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(_data.NewDb(), new ImportOptions { WeightLensDir = dir }));
        Assert.Contains(expected, e.Message);
    }
}
