using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Storage.Tests.Query;

public class FeatureStoreTests : IDisposable
{
    readonly StoreTestData _data = new();
    public void Dispose() => _data.Dispose();

    [Fact]
    public void RoundTrip_ContextWithActivations_ReadsBackExactly()
    {
        string db = _data.SyntheticStore();
        using var store = FeatureStore.Open(db);
        var c = store.Contexts(0, 7).Single();
        Assert.Equal(new float?[] { 0f, 1.25f, 3.5f }, c.Tokens.Select(t => t.Activation));
        Assert.Equal(new[] { "Hello", " world", "<b>bold</b>" }, c.Tokens.Select(t => t.Text));
        Assert.Equal((2, 3.5f, 42L), (c.TargetPosition, c.TargetActivation, c.Window));
        var src = Assert.Single(c.Sources);
        Assert.Equal((1, "feature", "L0:F3"), (src.Position, src.Kind, src.Label));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddWindow_PrefixAndFullWindow_KeepsTheLongest(bool prefixFirst)
    {
        string db = _data.NewDb();
        using (var w = StoreWriter.Begin(db))
        {
            int[] prefix = [1, 2], full = [1, 2, 3, 4];
            w.AddWindow(5, prefixFirst ? prefix : full);
            w.AddWindow(5, prefixFirst ? full : prefix);
            w.AddContext(0, 1, "circuitlens", 0, 5, 1, 1f, 0, null, null);
            w.Commit();
        }
        using (var w = StoreWriter.Begin(db)) { w.AddWindow(5, [1]); w.Commit(); } // a later import cannot shorten it
        using var store = FeatureStore.Open(db);
        Assert.Equal(new[] { 1, 2, 3, 4 }, store.Contexts(0, 1).Single().Tokens.Select(t => t.Id));
    }

    [Fact]
    public void Feature_StatsDescriptionsScores_RoundTrip()
    {
        string db = _data.SyntheticStore();
        using var store = FeatureStore.Open(db);
        var p = store.Feature(0, 7)!;
        Assert.Equal(7, p.Stats!.PositionCount);
        Assert.Equal(7 / 1000.0, p.Stats.Density!.Value, 12);
        Assert.Equal("tokens about topic0x7", p.Descriptions.Single().Text);
        Assert.Equal(0.5, p.Scores.Single().Value);
        Assert.Equal(1, p.ContextCounts["top"]);
        Assert.Null(store.Feature(9, 9));
    }

    [Theory]
    [InlineData("1:12")]
    [InlineData("L1:F12")]
    [InlineData(" l1/12 ")]
    public void Search_FeatureId_FindsExactlyThatFeature(string q)
    {
        using var store = FeatureStore.Open(_data.SyntheticStore());
        var hit = Assert.Single(store.Search(q));
        Assert.Equal((1, 12, "feature"), (hit.Layer, hit.Index, hit.Match));
        Assert.Equal("tokens about topic1x12", hit.Description);
        Assert.Equal(12.0, hit.MaxActivation);
    }

    [Fact]
    public void Search_TokenText_ExactMatchesRankFirstThenPrefixes()
    {
        using var store = FeatureStore.Open(_data.SyntheticStore(layers: 1, width: 30));
        var hits = store.Search("WORD2", by: "token");
        Assert.Equal((0, 2), (hits[0].Layer, hits[0].Index)); // exact " word2" (case-insensitive, trimmed)
        Assert.Contains(hits, h => h.Index == 21); // prefix " word21"
        Assert.DoesNotContain(hits, h => h.Index == 3);
    }

    [Fact]
    public void Search_DescriptionSubstring_UsesTrigramIndexAndShortFallback()
    {
        using var store = FeatureStore.Open(_data.SyntheticStore(layers: 2, width: 30));
        var hits = store.Search("topic1x2", by: "description");
        Assert.Equal(new[] { 2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29 }, hits.Select(h => h.Index).Order());
        Assert.All(hits, h => Assert.Equal(1, h.Layer));
        var shortQuery = store.Search("x7", by: "description"); // < 3 characters: LIKE scan
        Assert.Contains(shortQuery, h => (h.Layer, h.Index) == (0, 7));
        Assert.Empty(store.Search("%", by: "description"));
        Assert.Empty(store.Search("\"; DROP TABLE features; --", by: "description"));
        Assert.NotNull(store.Feature(0, 0));
    }

    [Fact]
    public void Search_LongQuery_IsRejected()
    {
        using var store = FeatureStore.Open(_data.SyntheticStore(layers: 1, width: 2));
        Assert.Throws<CircuitInsightsException>(() => store.Search(new string('a', 201)));
    }
}
