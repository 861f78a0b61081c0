using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Import;

public class TransactionTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    static long Count(string db, string table)
    {
        using var store = FeatureStore.Open(db);
        return store.Overview().Counts.TryGetValue(table, out var n) ? n : -1;
    }

    [Fact]
    public void Import_FailingHalfway_LeavesNoHalfRun()
    {
        string db = _data.SyntheticStore(layers: 1, width: 3);
        long before = Count(db, "weightlens"), descriptionsBefore = Count(db, "descriptions");
        int importsBefore;
        using (var s = FeatureStore.Open(db)) importsBefore = s.Overview().Imports.Count;
        var wl = _data.WeightLens(1, (0, [" cat", " dog"], [" cat"]), (1, [" red"], null));
        var broken = _data.Graph(brokenLink: true);
        var e = Assert.Throws<CircuitInsightsException>(() => StoreTestData.Import(db, new ImportOptions { WeightLensDir = wl, Graphs = [broken] }));
        Assert.Contains("9_9_9", e.Message);
        Assert.Equal(before, Count(db, "weightlens"));
        Assert.Equal(descriptionsBefore, Count(db, "descriptions"));
        using var store = FeatureStore.Open(db);
        Assert.Equal(importsBefore, store.Overview().Imports.Count);
        Assert.Null(store.Feature(1, 0));
        Assert.Empty(store.Search("cat", by: "token"));
    }

    [Fact]
    public void Writer_UncommittedRows_AreInvisibleToReaders()
    {
        string db = _data.SyntheticStore(layers: 1, width: 2);
        using (var w = StoreWriter.Begin(db))
        {
            w.SetDescription(5, 5, DescriptionMethods.External, "pending");
            using (var reader = FeatureStore.Open(db)) Assert.Null(reader.Feature(5, 5)); // WAL: the reader sees the last commit
            w.Commit();
        }
        using var after = FeatureStore.Open(db);
        Assert.Equal("pending", after.Feature(5, 5)!.Descriptions.Single().Text);
    }

    [Fact]
    public void Writer_DisposedWithoutCommit_RollsBack()
    {
        string db = _data.SyntheticStore(layers: 1, width: 2);
        using (var w = StoreWriter.Begin(db)) w.SetScore(0, 0, "m", "x", 1.0);
        using var store = FeatureStore.Open(db);
        Assert.Empty(store.Feature(0, 0)!.Scores);
    }

    [Fact]
    public void Import_Twice_ReplacesInsteadOfDuplicating()
    {
        string db = _data.NewDb();
        var wl = _data.WeightLens(0, (3, [" cat", " dog"], [" cat"]));
        StoreTestData.Import(db, new ImportOptions { WeightLensDir = wl, Graphs = [_data.Graph("same")] });
        StoreTestData.Import(db, new ImportOptions { WeightLensDir = wl, Graphs = [_data.Graph("same")] });
        using var store = FeatureStore.Open(db);
        var page = store.Feature(0, 3)!;
        Assert.Single(page.Descriptions);
        Assert.Equal(2, page.WeightLens!.InputTokens.Count);
        Assert.Single(store.Graphs());
        using var conn = StoreConnection.OpenForReading(db);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM feature_tokens WHERE token = 'cat'";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!);
    }
}
