using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Judges;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Tests.Judges;

public class OfflineJudgeTests
{
    static FeatureDescription Tokens(params string[] t) => new() { Method = "wl", Feature = new FeatureId(0, 1), Tokens = t };

    [Fact]
    public async Task Rate_ExactLemmaNearAndNone()
    {
        var judge = new OfflineJudge([]);
        var r = await judge.RateAsync(Tokens(" cat", "Ġhorse", "▁running"),
            ["The cat sat.", "Two cats slept.", "A category error.", "He runs.", "The run was long", "Nothing here.", "HORSE!"], TestContext.Current.CancellationToken);
        // cat exact → 2; cats lemma cat → 2; category has prefix "cat" → 1; runs: lemma run vs running→run → 2;
        // "run" = lemma of running → 2; nothing → 0; case-insensitive → 2
        Assert.Equal([2, 2, 1, 2, 2, 0, 2], r);
    }

    [Fact]
    public async Task Rate_NoTokens_AllZero()
    {
        var judge = new OfflineJudge([]);
        var r = await judge.RateAsync(new FeatureDescription { Method = "x", Feature = new FeatureId(0, 0), Text = "the a of" }, ["the cat"], TestContext.Current.CancellationToken);
        Assert.Equal([0], r);
    }

    [Fact]
    public async Task ConceptSamples_ContainTokensAfterAWord_Deterministic()
    {
        var contexts = new[] { "one two three four five six seven", "alpha beta gamma delta", "x y z" };
        var judge = new OfflineJudge(contexts) { ConceptSamples = 12, ContextWords = 5 };
        var d = Tokens(" Monday", " Friday");
        var a = await judge.GenerateConceptSamplesAsync(d, TestContext.Current.CancellationToken);
        var b = await judge.GenerateConceptSamplesAsync(d, TestContext.Current.CancellationToken);
        Assert.Equal(a, b);
        Assert.True(a.Count >= 6);
        Assert.All(a, s => Assert.True(s.Contains(" Monday") || s.Contains(" Friday"), s));
        Assert.All(a, s => Assert.True(s.Split(' ').Length <= 6));
        // every sample is rated 2 by the same judge
        Assert.All(await judge.RateAsync(d, a, TestContext.Current.CancellationToken), r => Assert.Equal(2, r));
    }

    [Fact]
    public void Lemma_Rules()
    {
        Assert.Equal("cat", TokenNormalizer.Lemma(" cats"));
        Assert.Equal("city", TokenNormalizer.Lemma("cities"));
        Assert.Equal("box", TokenNormalizer.Lemma("boxes"));
        Assert.Equal("run", TokenNormalizer.Lemma("running"));
        Assert.Equal("walk", TokenNormalizer.Lemma("walked"));
        Assert.Equal("bus", TokenNormalizer.Lemma("bus"));
        Assert.Equal("glass", TokenNormalizer.Lemma("glass"));
        Assert.Equal("the", TokenNormalizer.Normalize("Ġthe"));
    }

    [Fact]
    public void TokenExtractor_QuotedElseContentWords()
    {
        Assert.Equal(["cat", "dog"], TokenExtractor.FromText("fires on \"cat\" and \"dog\" in stories"));
        Assert.Equal(["Monday", "Tuesday"], TokenExtractor.FromText("it's about 'Monday' or 'Tuesday'"));
        Assert.Equal(["Days", "week"], TokenExtractor.FromText("Days of the week"));
    }
}
