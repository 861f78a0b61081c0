using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Run;
using CircuitInsights.WeightLens.Tests.Support;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Tests.Run;

/// <summary>WeightLens recovers exactly what was planted in the tiny GPT-2.</summary>
public class PlantedRecoveryTests(PlantedFixture planted) : IClassFixture<PlantedFixture>
{
    Dictionary<FeatureId, FeatureRecord> Describe(WeightLensOptions options) =>
        new WeightLensRunner(planted.Lens, options).Describe(new FeatureSelection { Features = PlantedGpt2.Features.Values.ToArray() })
            .SelectMany(kv => kv.Value).ToDictionary(r => r.Feature);

    static string[] Set(string name) => PlantedGpt2.Sets[name].Order(NumpyStrings.CodePointComparer.Instance).ToArray();

    FeatureRecord Get(Dictionary<FeatureId, FeatureRecord> records, string name) => records[PlantedGpt2.Features[name]];

    [Fact]
    public void Describe_TokenDetectors_DescribedByTheirSet()
    {
        var records = Describe(new WeightLensOptions());
        foreach (var (feature, set) in new[] { ("animal_detector", "animals"), ("colour_detector", "colours"), ("weekday_detector", "weekdays") })
        {
            var r = Get(records, feature);
            Assert.Equal(Set(set), r.Description);
            Assert.True(r.Validation, feature);
            Assert.Equal(1.0, r.ValidationSoft);
            Assert.Equal(planted.Files.SetIds[set].Order(), r.TopPositiveTokenIds.Order());
            Assert.All(r.PositiveTokensActivation, a => Assert.True(a > 0));
        }
    }

    [Fact]
    public void Describe_InheritedFeatures_InheritTheUpstreamSet()
    {
        var records = Describe(new WeightLensOptions());
        var detector = PlantedGpt2.Features["animal_detector"];
        foreach (var name in new[] { "animal_inherited", "animal_deep" })
        {
            var r = Get(records, name);
            // random tokens may be z-outliers of the weak noise along the encoder, but none activates the feature
            Assert.All(r.PositiveTokensActivation, a => Assert.Equal(0.0, a));
            Assert.Equal((detector.Layer, detector.Index), (r.FeatureToFeatureContributions[0].FromLayer, r.FeatureToFeatureContributions[0].FromFeatureIdx));
            Assert.Equal(Set("animals"), r.Description);
            Assert.True(r.Validation);
        }
    }

    [Fact]
    public void Describe_OutputFeatures_PromoteAndSuppressTheirSets()
    {
        var records = Describe(new WeightLensOptions());
        var city = Get(records, "city_promoter");
        Assert.Equal(Set("cities"), city.OutputTopPositiveTokens.Order(NumpyStrings.CodePointComparer.Instance));
        Assert.DoesNotContain(city.OutputTopNegativeTokens, t => PlantedGpt2.Sets.Values.Any(set => set.Contains(t)));
        Assert.Equal(Set("colours"), city.Description);
        var suppressor = Get(records, "affirmation_suppressor");
        Assert.Equal(Set("affirmations"), suppressor.OutputTopNegativeTokens.Order(NumpyStrings.CodePointComparer.Instance));
        // (a random token may sit past z = 5.5 in the noise tail of a 1000-value pool; no planted token may)
        Assert.DoesNotContain(suppressor.OutputTopPositiveTokens, t => PlantedGpt2.Sets.Values.Any(set => set.Contains(t)));
    }

    [Fact]
    public void Describe_Gpt2Default_InheritsOnlyFromLayerZero()
    {
        // the suppressor reads the layer-1 weekday detector: linked by weights, but GPT-2 inherits only from layer 0
        var auto = Get(Describe(new WeightLensOptions()), "affirmation_suppressor");
        var weekday = PlantedGpt2.Features["weekday_detector"];
        Assert.Contains(auto.FeatureToFeatureContributions, c => c.FromLayer == weekday.Layer && c.FromFeatureIdx == weekday.Index);
        Assert.Null(auto.Description);
        Assert.False(auto.Validation);
        Assert.Null(auto.DescriptionSoft);
        Assert.Equal(0.0, auto.ValidationSoft);

        var all = Get(Describe(new WeightLensOptions { Inheritance = InheritancePolicy.AllLayers }), "affirmation_suppressor");
        Assert.Equal(Set("weekdays"), all.Description);
        Assert.True(all.Validation);
    }
}
