using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Run;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Tests.Run;

public class FeatureSelectionTests
{
    [Fact]
    public void Parse_LayersFeaturesShard()
    {
        Assert.Equal([0, 3, 4, 5], FeatureSelection.Parse("0,3-5,4", null, null).Layers);
        Assert.Equal([new FeatureId(1, 2), new FeatureId(1, 3), new FeatureId(4, 0)], FeatureSelection.Parse(null, "4:0,1:2-3", null).Features);
        var s = FeatureSelection.Parse(null, null, "1/3");
        Assert.Equal((1, 3), (s.ShardIndex, s.ShardCount));
        Assert.Equal("all; shard 1/3", s.Describe());
        Assert.Equal("all", s.Describe(withShard: false));
    }

    [Theory]
    [InlineData("0,x", null, null)]
    [InlineData("3-1", null, null)]
    [InlineData(null, "4", null)]
    [InlineData(null, "a:1", null)]
    [InlineData(null, null, "3/3")]
    [InlineData(null, null, "1")]
    [InlineData("0", "0:1", null)]
    public void Parse_BadInput_ThrowsCircuitInsightsException(string? layers, string? features, string? shard) =>
        Assert.Throws<CircuitInsightsException>(() => FeatureSelection.Parse(layers, features, shard));

    [Fact]
    public void NumpyUnique_SortsByCodePointAndDropsTrailingNul()
    {
        // U+FF5E sorts before U+1F600 by code point, after it in UTF-16 ordinal order (surrogates 0xD83D < 0xFF5E)
        Assert.Equal(["", " a", "a", "～", "😀"], NumpyStrings.Unique(["😀", "～", "a", " a", "a", "\0"]));
    }
}
