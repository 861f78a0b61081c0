using CircuitInsights.Storage.Query;
using CircuitInsights.Web.Plots;

namespace CircuitInsights.Web.Tests.Plots;

[Trait("Category", "Slow")]
public class FeaturePlotsTests(ExplorerFixture fx)
{
    static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    string Out(string name) => Path.Combine(fx.Run.Root, "plots", name);

    [Theory]
    [InlineData("histogram", ".png")]
    [InlineData("histogram", ".svg")]
    [InlineData("logits", ".png")]
    [InlineData("clusters", ".svg")]
    [InlineData("graph", ".png")]
    [InlineData("graph", ".svg")]
    public void Plot_EveryKind_WritesAnImage(string kind, string ext)
    {
        using var store = FeatureStore.Open(fx.Run.DbPath);
        var f = kind == "logits" ? fx.Run.City : fx.Run.Bank;
        string path = Out($"{kind}{ext}");
        switch (kind)
        {
            case "histogram": FeaturePlots.Histogram(store, f.Layer, f.Index, path); break;
            case "logits": FeaturePlots.Logits(store, f.Layer, f.Index, path); break;
            case "clusters": FeaturePlots.Clusters(store, f.Layer, f.Index, path); break;
            default: FeaturePlots.Graph(store, store.Graphs()[0].Id, path, 0.1); break;
        }
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        if (ext == ".png") Assert.Equal(PngMagic, bytes[..4]);
        else Assert.Contains("<svg", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Plot_UnknownExtensionOrMissingData_ThrowsUserError()
    {
        using var store = FeatureStore.Open(fx.Run.DbPath);
        Assert.Throws<CircuitInsightsException>(() => FeaturePlots.Histogram(store, fx.Run.Bank.Layer, fx.Run.Bank.Index, Out("x.gif")));
        Assert.Throws<CircuitInsightsException>(() => FeaturePlots.Clusters(store, fx.Run.City.Layer, fx.Run.City.Index, Out("c.png")));
        Assert.Throws<CircuitInsightsException>(() => FeaturePlots.Graph(store, 999, Out("g.png")));
    }
}
