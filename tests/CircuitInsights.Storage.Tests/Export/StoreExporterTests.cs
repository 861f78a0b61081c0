using System.Text.Json;
using CircuitInsights.Storage.Export;
using CircuitInsights.Storage.Import;

namespace CircuitInsights.Storage.Tests.Export;

public class StoreExporterTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    [Fact]
    public void Export_EveryTable_AsJsonLinesWithDecodedColumns()
    {
        string db = _data.SyntheticStore(layers: 1, width: 10);
        string graph = _data.Graph("exported");
        StoreTestData.Import(db, new ImportOptions { Graphs = [graph] });
        string dir = Path.Combine(_data.Root, "export");
        var counts = StoreExporter.Export(db, dir);
        foreach (var t in StoreExporter.Tables) Assert.True(File.Exists(Path.Combine(dir, t + ".jsonl")), t);
        Assert.Equal(10 + 1, counts["features"]); // 10 synthetic + the graph's 1:7 (0:3 exists)
        var context = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "contexts.jsonl")).Single()).RootElement;
        Assert.Equal(new[] { 0f, 1.25f, 3.5f }, context.GetProperty("activations").EnumerateArray().Select(x => x.GetSingle()));
        var window = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "windows.jsonl")).Single()).RootElement;
        Assert.Equal(new[] { 1, 2, 3 }, window.GetProperty("tokens").EnumerateArray().Select(x => x.GetInt32()));
        var g = JsonDocument.Parse(File.ReadLines(Path.Combine(dir, "graphs.jsonl")).Single()).RootElement;
        Assert.False(g.TryGetProperty("graph", out _));
        Assert.Equal("exported", g.GetProperty("summary").GetProperty("slug").GetString());
        Assert.Equal(File.ReadAllText(graph), File.ReadAllText(Path.Combine(dir, "graphs", $"{g.GetProperty("id").GetInt64()}.json")));
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json"))).RootElement;
        Assert.Equal(Storage.Schema.StoreSchema.CurrentVersion, manifest.GetProperty("schema_version").GetInt32());
        Assert.Equal(counts["descriptions"], File.ReadLines(Path.Combine(dir, "descriptions.jsonl")).Count());
    }
}
