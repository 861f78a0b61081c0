using CircuitInsights.WeightLens.Run;
using CircuitInsights.WeightLens.Tests.Support;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Tests.Run;

/// <summary>The fused, batched engine against the plain per-feature reference on the planted GPT-2.</summary>
public class FusedVersusReferenceTests(PlantedFixture planted) : IClassFixture<PlantedFixture>
{
    static readonly WeightLensOptions Small = new() { BatchSize = 48, ProbeBatch = 7 };

    public static TheoryData<string> Modes => new() { "code-pertoken", "paper-pertoken-all", "code-authors", "authors-bos2" };

    static WeightLensOptions Options(string mode) => mode switch
    {
        "code-pertoken" => Small,
        "paper-pertoken-all" => WeightLensPresets.Paper("gpt2", Small) with { Inheritance = InheritancePolicy.AllLayers },
        "code-authors" => Small with { Validation = ValidationMode.Authors },
        "authors-bos2" => Small with { Validation = ValidationMode.Authors, ValidationBosId = 2, Inheritance = InheritancePolicy.AllLayers },
        _ => throw new ArgumentException(mode),
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Describe_PlantedFeaturesAndSample_EqualsReference(string mode)
    {
        var options = Options(mode);
        var features = PlantedGpt2.Features.Values.Concat([new FeatureId(0, 0), new FeatureId(1, 64), new FeatureId(2, 127), new FeatureId(2, 100)]).ToArray();
        var runner = new WeightLensRunner(planted.Lens, options);
        var records = runner.Describe(new FeatureSelection { Features = features }).SelectMany(kv => kv.Value).ToDictionary(r => r.Feature);
        Assert.Equal(features.Length, records.Count);
        var reference = new ReferenceWeightLens(planted.Lens, options);
        foreach (var f in features) RecordAssert.Equal(reference.Analyze(f), records[f]);
    }

    [Fact]
    public void Describe_WholeLayer_EqualsReferenceForEveryFeature()
    {
        var runner = new WeightLensRunner(planted.Lens, Small);
        var records = runner.Describe(new FeatureSelection { Layers = [1] })[1];
        Assert.Equal(PlantedGpt2.K, records.Length);
        var reference = new ReferenceWeightLens(planted.Lens, Small);
        foreach (var r in records) RecordAssert.Equal(reference.Analyze(r.Feature), r);
    }
}
