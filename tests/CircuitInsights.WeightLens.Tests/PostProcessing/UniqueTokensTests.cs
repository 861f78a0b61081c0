using CircuitInsights.WeightLens.PostProcessing;

namespace CircuitInsights.WeightLens.Tests.PostProcessing;

public class UniqueTokensTests
{
    [Fact]
    public void Compute_AuthorsOfficerExample_CollapsesToOneLemma()
    {
        // WL example.ipynb: the description of Gemma L4 F7671 post-processes to ['officer'], its promoted tokens to ['headquarters']
        string[] description = [" OFFICER", " OFFICERS", " Officer", " Officers", " officer", " officers", "Officer", "Officers", "officer", "officers"];
        Assert.Equal(["officer"], UniqueTokens.Compute(description));
        Assert.Equal(["headquarters"], UniqueTokens.Compute([" headquarters", " Headquarters", "Headquarters"]));
    }

    [Fact]
    public void Compute_WordsBeforePunctuation_PunctuationGroupedAtLowerThreshold()
    {
        // "..." vs ".." has ratio 0.8 > 0.6 → one group; "cat"/"cats" lemmatise to the same word
        Assert.Equal(["cat", "dog", "...", "?"], UniqueTokens.Compute([" cats", "...", " cat", "..", " dog", "?"]));
    }

    [Fact]
    public void Compute_OnlyEmptyAfterNormalising_ReturnsOriginalTokens()
    {
        Assert.Equal([" ", "\t"], UniqueTokens.Compute([" ", "\t"]));
        Assert.Empty(UniqueTokens.Compute([]));
    }

    [Fact]
    public void Normalize_RemovesNonWordCharactersUnlessAllPunctuation()
    {
        Assert.Equal("dont", UniqueTokens.Normalize(" Don't "));
        Assert.Equal("//$", UniqueTokens.Normalize(" //$"));
        Assert.Equal("café_2", UniqueTokens.Normalize("Café_2!"));
        Assert.True(UniqueTokens.IsPunctuationLike(""));
        Assert.False(UniqueTokens.IsPunctuationLike("a."));
    }

    [Theory]
    [InlineData("officers", "officer")]
    [InlineData("cities", "city")]
    [InlineData("churches", "church")]
    [InlineData("boxes", "box")]
    [InlineData("classes", "class")]
    [InlineData("women", "woman")]
    [InlineData("children", "child")]
    [InlineData("leaves", "leaf")]
    [InlineData("mice", "mouse")]
    [InlineData("horses", "horse")]
    [InlineData("glass", "glass")]
    [InlineData("bus", "bus")]
    [InlineData("analysis", "analysis")]
    [InlineData("physics", "physics")]
    [InlineData("was", "was")]
    [InlineData("ties", "tie")]
    [InlineData("omen", "omen")]
    [InlineData("headquarters", "headquarters")]
    [InlineData("running", "running")]
    public void Lemmatize_NounRulesAndIrregularForms(string word, string lemma) => Assert.Equal(lemma, EnglishLemmatizer.Lemmatize(word));
}
