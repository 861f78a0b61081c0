using CircuitInsights.Testing;
using CircuitInsights.WeightLens.Compare;
using CircuitInsights.WeightLens.Output;
using CircuitInsights.WeightLens.Tests.Output;

namespace CircuitInsights.WeightLens.Tests.Run;

public class RunComparisonTests
{
    [Fact]
    public void Compare_CountsValidatedJaccardAndMissingFeatures()
    {
        string a = CheckpointDirectory.CreateTemp("ci-wl-cmp"), b = CheckpointDirectory.CreateTemp("ci-wl-cmp");
        try
        {
            var x1 = FeatureRecordJsonTests.Sample(1);
            var x2 = FeatureRecordJsonTests.Sample(2, described: false);
            var x3 = FeatureRecordJsonTests.Sample(3);
            FeatureRecordJson.WriteFile(Path.Combine(a, FeatureRecordJson.FileName(2)), [x1, x2, x3]);
            var y1 = FeatureRecordJsonTests.Sample(1);
            var y2 = FeatureRecordJsonTests.Sample(2);
            var y4 = FeatureRecordJsonTests.Sample(4);
            var y3 = new Func<Description.FeatureRecord>(() =>
            {
                var s = FeatureRecordJsonTests.Sample(3);
                return new Description.FeatureRecord
                {
                    Layer = s.Layer, FeatureIdx = 3, TopPositiveTokens = [], TopPositiveTokenIds = [], TopPositiveTokensContribution = [],
                    TopPositiveTokensRelativeContribution = [], PositiveTokensActivation = [], TopNegativeTokens = [], TopNegativeTokensIds = [],
                    TopNegativeTokensContribution = [], TopNegativeTokensRelativeContribution = [], OutputTopPositiveTokens = [], OutputTopNegativeTokens = [],
                    FeatureToFeatureContributions = [], TotalInputInvariantDetectedContribution = 0, TotalInputInvariantContribution = 1,
                    DescriptionSoft = [" cat", " dog"], Description = [" cat", " dog"], Validation = true, ValidationSoft = 1,
                };
            })();
            FeatureRecordJson.WriteFile(Path.Combine(b, FeatureRecordJson.FileName(2)), [y1, y2, y3, y4]);
            FeatureRecordJson.WriteFile(Path.Combine(b, FeatureRecordJson.FileName(7)), [y1]);
            var (layers, features) = RunComparison.Compare(a, b);
            var l = Assert.Single(layers);
            Assert.Equal((2, 3, 0, 1), (l.Layer, l.Common, l.OnlyOurs, l.OnlyTheirs));
            Assert.Equal((2, 3, 2), (l.ValidatedOurs, l.ValidatedTheirs, l.ValidatedBoth));
            Assert.Equal(3, l.DescribedEither);
            Assert.Equal((1.0 + 0.0 + 0.5) / 3, l.MeanJaccard, 12);
            Assert.Equal(1, l.IdenticalDescriptions);
            Assert.Equal([1, 2, 3], features.Select(f => f.FeatureIdx));
            Assert.Throws<CircuitInsightsException>(() => RunComparison.Compare(a, b, [5]));
        }
        finally { Directory.Delete(a, true); Directory.Delete(b, true); }
    }

    [Fact]
    public void Jaccard_EmptySetsAgree() => Assert.Equal(1.0, RunComparison.Jaccard(null, []));
}
