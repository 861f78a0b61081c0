using System.Text.Json;
using CircuitInsights.Attribution.Graphs.Export;

namespace CircuitInsights.Cli.Tests;

[Trait("Category", "Slow")] // generates the demo model and runs the CLI end to end
public class AttributeCommandTests(DemoCliFixture demo) : IClassFixture<DemoCliFixture>
{
    string Temp(string name) => Path.Combine(demo.Directory, $"{Guid.NewGuid():N}-{name}");

    [Fact]
    public void Attribute_Neuronpedia_WritesGraphAndSummary()
    {
        string output = Temp("graph.json");
        var (code, stdout, stderr) = DemoCliFixture.Run("attribute", "--model", demo.Model, "--transcoders", demo.Transcoders,
            "--prompt", demo.Manifest.GraphPrompts[0].Prompt, "--node-threshold", "0.99", "--out", output, "--slug", "bank");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var root = doc.RootElement;
        Assert.Equal("bank", root.GetProperty("metadata").GetProperty("slug").GetString());
        var ids = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node_id").GetString()).ToList();
        var p = demo.Manifest.GraphPrompts[0];
        Assert.Contains($"{p.Source.Layer}_{p.Source.Index}_{p.SourcePosition}", ids);
        Assert.Contains($"{p.Target.Layer}_{p.Target.Index}_{p.TargetPosition}", ids);
        Assert.Contains(root.GetProperty("links").EnumerateArray(), l =>
            l.GetProperty("source").GetString() == $"{p.Source.Layer}_{p.Source.Index}_{p.SourcePosition}" &&
            l.GetProperty("target").GetString() == $"{p.Target.Layer}_{p.Target.Index}_{p.TargetPosition}");
        Assert.Contains("replacement score", stdout);
        Assert.Contains("completeness score", stdout);
        Assert.Contains("top ", stdout);
        Assert.Contains("\" bank\" p=", stdout);
        Assert.Contains("phase 3 (feature rows)", stderr); // one line per finished phase when not on a terminal
    }

    [Fact]
    public void Attribute_Compact_IsReadable()
    {
        string output = Temp("graph.cig.json");
        var (code, stdout, stderr) = DemoCliFixture.Run("attribute", "-m", demo.Model, "-t", demo.Transcoders, "-p", " They live in",
            "--format", "compact", "--max-feature-nodes", "40", "--batch-size", "8", "--keep-bos", "--out", output);
        Assert.True(code == 0, stderr);
        var g = CompactGraphFile.Read(output);
        Assert.Equal(40, g.Info.FeatureNodes);
        Assert.Equal(40, g.Info.Options.MaxFeatureNodes);
        Assert.False(g.Info.Options.ZeroFirstPosition);
        Assert.Equal(40, g.Nodes.Count(n => n.Type == "feature"));
        Assert.Contains("compact", stdout);
    }

    [Fact]
    public void Attribute_OverMemoryBudget_FailsWithOneLine()
    {
        var (code, stdout, stderr) = DemoCliFixture.Run("attribute", "-m", demo.Model, "-t", demo.Transcoders, "-p", " They live in Paris",
            "--memory-budget", "4M", "--max-feature-nodes", "all", "--out", Temp("x.json"));
        Assert.Equal(1, code);
        var errorLine = stderr.Split('\n').Single(l => l.StartsWith("error:"));
        Assert.Contains("memory budget", errorLine);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--max-n-logits", "many")]
    public void Attribute_BadArguments_Exit2(string option, string value)
    {
        var (code, _, stderr) = DemoCliFixture.Run("attribute", "-m", demo.Model, "-t", demo.Transcoders, "-p", "x", "--out", Temp("y.json"), option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", stderr);
    }

    [Theory]
    [InlineData("--max-feature-nodes", "-3")]
    [InlineData("--node-threshold", "1.5")]
    [InlineData("--memory-budget", "lots")]
    public void Attribute_BadValues_Exit1(string option, string value)
    {
        var (code, _, stderr) = DemoCliFixture.Run("attribute", "-m", demo.Model, "-t", demo.Transcoders, "-p", "x", "--out", Temp("y.json"), option, value);
        Assert.Equal(1, code);
        Assert.Contains(option, stderr);
    }
}
