namespace CircuitInsights.Cli.Tests;

[Trait("Category", "Slow")] // generates the demo model and runs the CLI end to end
public class InterveneCommandTests(DemoCliFixture demo) : IClassFixture<DemoCliFixture>
{
    [Fact]
    public void Intervene_SetCityPromoter_RaisesCityProbabilities()
    {
        var city = demo.Manifest.Feature("city_promoter");
        var (code, stdout, stderr) = DemoCliFixture.Run("intervene", "-m", demo.Model, "-t", demo.Transcoders, "-p", " We bought red",
            "--set", $"{city.Layer}:-1:{city.Index}=12", "--top", "5", "--generate", "3");
        Assert.True(code == 0, stderr);
        var cities = demo.Manifest.TokenSets["cities"].Select(t => t.Text).ToHashSet();
        // The table of the largest changes: the prompt's own continuation (" red") collapses, and every token that
        // gained is a city.
        var rows = stdout.Split('\n').SkipWhile(l => !l.Contains("before")).Skip(1).TakeWhile(l => l.StartsWith("  \"")).ToList();
        Assert.Equal(5, rows.Count);
        int gained = 0;
        foreach (var row in rows)
        {
            string token = row.Trim().Split('"')[1];
            var numbers = row[(row.LastIndexOf('"') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (numbers[1] > numbers[0]) { Assert.Contains(token, cities); gained++; }
        }
        Assert.True(gained >= 4, stdout);
        string topAfter = stdout.Split('\n').First(l => l.StartsWith("top after:")).Split('"')[1];
        Assert.Contains(topAfter, cities);
        string steered = stdout.Split('\n').First(l => l.Contains("steered:"));
        Assert.Contains(steered.Split('"')[1][" We bought red".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries), w => cities.Contains(" " + w));
        Assert.Contains("clean:", stdout);
        Assert.Contains("steered:", stdout);
        Assert.Contains("attention frozen", stdout);
    }

    [Fact]
    public void Intervene_ScaleByOne_ChangesNothing()
    {
        var city = demo.Manifest.Feature("city_promoter");
        var (code, stdout, stderr) = DemoCliFixture.Run("intervene", "-m", demo.Model, "-t", demo.Transcoders, "-p", " They live in",
            "--scale", $"{city.Layer}:*:{city.Index}=1", "--free-attention", "--top", "3");
        Assert.True(code == 0, stderr);
        var line = stdout.Split('\n').First(l => l.StartsWith("top before:"));
        var after = stdout.Split('\n').First(l => l.StartsWith("top after:"));
        Assert.Equal(line["top before:".Length..].Trim(), after["top after:".Length..].Trim());
        Assert.Contains("attention free", stdout);
    }

    [Theory]
    [InlineData("--set", "2:0:5")]        // no value
    [InlineData("--set", "9:0:5=1")]      // no transcoder at layer 9
    [InlineData("--set", "1:40:5=1")]     // position outside the prompt
    [InlineData("--scale", "1:0:99999=2")] // feature outside the width
    public void Intervene_BadSpec_FailsWithOneLine(string option, string spec)
    {
        var (code, _, stderr) = DemoCliFixture.Run("intervene", "-m", demo.Model, "-t", demo.Transcoders, "-p", " They live in", option, spec);
        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
    }
}
