using System.Text.Json;
using CircuitInsights.WeightLens.PostProcessing;

namespace CircuitInsights.WeightLens.Tests.PostProcessing;

public class SequenceMatcherTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Load().Count; i++) data.Add(i);
        return data;
    }

    static List<JsonElement> Load() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "difflib_cases.json"))).RootElement.EnumerateArray().ToList();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ratio_MatchesCPythonDifflib(int index)
    {
        // expected values were produced by CPython 3.11 difflib.SequenceMatcher(None, a, b).ratio() (with and without autojunk)
        var c = Load()[index];
        string a = c.GetProperty("a").GetString()!, b = c.GetProperty("b").GetString()!;
        Assert.Equal(c.GetProperty("ratio").GetDouble(), SequenceMatcher.Ratio(a, b));
        Assert.Equal(c.GetProperty("ratio_no_autojunk").GetDouble(), SequenceMatcher.Ratio(a, b, autoJunk: false));
    }

    [Fact]
    public void Ratio_LongStringWithPopularCharacters_AutojunkChangesTheResult()
    {
        // the case that ports without autojunk get wrong: b ≥ 200 characters whose letters are all "popular"
        var cases = Load().Where(c => c.GetProperty("ratio").GetDouble() != c.GetProperty("ratio_no_autojunk").GetDouble()).ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
            Assert.NotEqual(SequenceMatcher.Ratio(c.GetProperty("a").GetString()!, c.GetProperty("b").GetString()!, autoJunk: false),
                SequenceMatcher.Ratio(c.GetProperty("a").GetString()!, c.GetProperty("b").GetString()!));
    }
}
