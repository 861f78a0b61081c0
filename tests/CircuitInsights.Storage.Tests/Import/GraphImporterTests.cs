using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Import;

public class GraphImporterTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    [Fact]
    public void Import_ValidGraph_KeepsJsonVerbatimAndIndexesFeatureNodes()
    {
        string db = _data.NewDb();
        string file = _data.Graph("demo");
        StoreTestData.Import(db, new ImportOptions { Graphs = [file] });
        using var store = FeatureStore.Open(db);
        var g = store.Graphs().Single();
        Assert.Equal(("demo", "a b", 4, 3, 2), (g.Slug, g.Prompt, g.Nodes, g.Links, g.Features));
        Assert.Equal(File.ReadAllText(file), store.GraphJson(g.Id));
        var m = store.Feature(1, 7)!.Graphs.Single();
        Assert.Equal((g.Id, 1, 2.0), (m.GraphId, m.Position, m.Activation));
    }

    [Theory]
    [InlineData("""{"nodes": [{"node_id": "a"}, {"node_id": "a"}], "links": []}""", "duplicate node_id")]
    [InlineData("""{"nodes": [{"node_id": "a"}], "links": [{"source": "a", "target": "b", "weight": 1}]}""", "'b' is not a node")]
    [InlineData("""{"nodes": [{"node_id": "a"}], "links": [{"source": "a", "target": "a"}]}""", "weight")]
    [InlineData("""{"nodes": []}""", "missing list 'links'")]
    [InlineData("""[1, 2]""", "must be an object")]
    [InlineData("""{"nodes": [""", "invalid graph JSON")]
    public void Import_InvalidGraph_ThrowsNamingTheProblem(string json, string expected)
    {
        string file = Path.Combine(_data.Root, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, json);
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(_data.NewDb(), new ImportOptions { Graphs = [file] }));
        Assert.Contains(expected, e.Message);
        Assert.Contains(file, e.Message);
    }

    [Theory]
    [InlineData("3_17_4", 3, 17, 4)]
    [InlineData("0_-1_2", null, null, null)]
    [InlineData("E_262_0", null, null, null)]
    public void ParseFeatureId_CircuitTracerIds(string id, int? layer, int? index, int? pos)
    {
        var f = GraphImporter.ParseFeatureId(id);
        Assert.Equal(layer is null ? null : (layer.Value, index!.Value, pos), f);
    }
}
