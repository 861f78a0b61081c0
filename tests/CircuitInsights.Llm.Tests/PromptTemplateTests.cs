namespace CircuitInsights.Llm.Tests;

public class PromptTemplateTests
{
    const string Text = """
        # a comment
        name: demo.rate
        version: 3
        [system]
        Rate {{concept}}.
        Output like {"1": 0}.
        [user]
        Concept: {{concept}}
        {{samples}}
        """;

    [Fact]
    public void Parse_HeaderAndMessages()
    {
        var t = PromptTemplate.Parse(Text, "test");
        Assert.Equal("demo.rate@3", t.Id);
        Assert.Equal(["system", "user"], t.Messages.Select(m => m.Role));
        Assert.Equal(["concept", "samples"], t.Placeholders);
    }

    [Fact]
    public void Render_ReplacesPlaceholders_KeepsSingleBraces()
    {
        var t = PromptTemplate.Parse(Text, "test");
        var m = t.Render(new Dictionary<string, string> { ["concept"] = "cats", ["samples"] = "1: a {cat}" });
        Assert.Equal("Rate cats.\nOutput like {\"1\": 0}.", m[0].Content);
        Assert.Equal("Concept: cats\n1: a {cat}", m[1].Content);
        var r = t.Request(new Dictionary<string, string> { ["concept"] = "c", ["samples"] = "s" }, temperature: 0.2, sample: 4);
        Assert.Equal(("demo.rate@3", 0.2, 4), (r.TemplateVersion, r.Temperature, r.Sample));
    }

    [Fact]
    public void Render_MissingOrUnknownValue_Throws()
    {
        var t = PromptTemplate.Parse(Text, "test");
        Assert.Throws<ArgumentException>(() => t.Render(new Dictionary<string, string> { ["concept"] = "c" }));
        Assert.Throws<ArgumentException>(() => t.Render(new Dictionary<string, string> { ["concept"] = "c", ["samples"] = "s", ["extra"] = "x" }));
    }

    [Theory]
    [InlineData("version: 1\n[user]\nx", "name")]
    [InlineData("name: a\nversion: zero\n[user]\nx", "version")]
    [InlineData("name: a\nversion: 1\n", "no [system]")]
    [InlineData("name: a\nversion: 1\nrubbish\n[user]\nx", "line 3")]
    public void Parse_BadTemplate_ThrowsNamingTheProblem(string text, string expected)
    {
        var e = Assert.Throws<CircuitInsightsException>(() => PromptTemplate.Parse(text, "bad.prompt"));
        Assert.Contains("bad.prompt", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
