using System.Text.Json;
using CircuitInsights.Testing;

namespace CircuitInsights.Cli.Tests.Commands;

/// <summary>store import / store export / plot / serve argument handling through the real command line.</summary>
public class StoreCommandsTests : IDisposable
{
    readonly string _dir = CheckpointDirectory.CreateTemp("ci-clistore");
    public void Dispose() => Directory.Delete(_dir, true);

    (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    string WeightLens()
    {
        string dir = Path.Combine(_dir, "wl");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "feature_analysis_layer_0.json"), JsonSerializer.Serialize(new[]
        {
            new
            {
                feature = new { layer = 0, feature_idx = 4 },
                embedding = new { top_positive_tokens = new[] { " cat", " dog" }, top_positive_token_ids = new[] { 3797, 3290 } },
                output_logits = new { top_positive_tokens = new[] { " meow" }, top_negative_tokens = Array.Empty<string>() },
                feature_to_feature_contributions = Array.Empty<object>(),
                description = new[] { " cat", " dog" },
            },
        }));
        return dir;
    }

    string Graph(bool broken = false)
    {
        string path = Path.Combine(_dir, broken ? "broken.json" : "graph.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            metadata = new { slug = "g1", prompt = "cat" },
            nodes = new object[]
            {
                new { node_id = "E_3797_1", layer = "E", ctx_idx = 1, feature_type = "embedding" },
                new { node_id = "0_4_1", layer = "0", ctx_idx = 1, feature_type = "cross layer transcoder" },
            },
            links = new object[] { new { source = "E_3797_1", target = broken ? "nope" : "0_4_1", weight = 1.5 } },
        }));
        return path;
    }

    [Fact]
    public void ImportExportPlot_EndToEnd_Succeed()
    {
        string db = Path.Combine(_dir, "run.sqlite");
        var import = Run("store", "import", "--db", db, "--weightlens", WeightLens(), "--graph", Graph());
        Assert.True(import.Code == 0, import.Err);
        Assert.Contains("1 WeightLens records, 1 graph(s)", import.Out);
        string export = Path.Combine(_dir, "export");
        var ex = Run("store", "export", "--db", db, "--out", export);
        Assert.True(ex.Code == 0, ex.Err);
        Assert.Contains("\"feature_idx\":4", File.ReadAllText(Path.Combine(export, "weightlens.jsonl")));
        Assert.True(File.Exists(Path.Combine(export, "graphs", "1.json")));
        string svg = Path.Combine(_dir, "graph.svg");
        var plot = Run("plot", "--db", db, "--kind", "graph", "--graph", "1", "--out", svg);
        Assert.True(plot.Code == 0, plot.Err);
        Assert.Contains("<svg", File.ReadAllText(svg));
        var logits = Run("plot", "--db", db, "--kind", "logits", "--feature", "0:4", "--out", Path.Combine(_dir, "logits.png"));
        Assert.True(logits.Code == 0, logits.Err);
    }

    [Fact]
    public void Import_BrokenGraph_ExitsOneAndImportsNothing()
    {
        string db = Path.Combine(_dir, "run.sqlite");
        var r = Run("store", "import", "--db", db, "--weightlens", WeightLens(), "--graph", Graph(broken: true));
        Assert.Equal(1, r.Code);
        var error = Assert.Single(r.Err.Trim().Split('\n'), l => l.StartsWith("error: ")); // progress notes may precede it
        Assert.Contains("'nope' is not a node", error);
        var export = Run("store", "export", "--db", db, "--out", Path.Combine(_dir, "export"));
        Assert.Equal(0, export.Code);
        Assert.Empty(File.ReadAllText(Path.Combine(_dir, "export", "weightlens.jsonl")));
    }

    [Theory]
    [InlineData("store", "import", "--db", "{db}")]
    [InlineData("store", "import", "--db", "{db}", "--transcoders", "x")]
    [InlineData("store", "export", "--db", "{dir}/missing.sqlite", "--out", "{dir}/o")]
    [InlineData("plot", "--db", "{db}", "--kind", "histogram", "--out", "{dir}/h.png")]
    [InlineData("serve", "--run", "{dir}/missing.sqlite")]
    [InlineData("serve", "--run", "{db}", "--port", "70000")]
    [InlineData("serve", "--run", "{db}", "--host", "not-an-address")]
    public void BadInput_ExitsOneWithOneLine(params string[] args)
    {
        string db = Path.Combine(_dir, "run.sqlite");
        Assert.Equal(0, Run("store", "import", "--db", db, "--weightlens", WeightLens()).Code);
        var r = Run(args.Select(a => a.Replace("{db}", db).Replace("{dir}", _dir)).ToArray());
        Assert.Equal(1, r.Code);
        Assert.StartsWith("error: ", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Plot_UnknownKind_IsAnArgumentError() =>
        Assert.Equal(2, Run("plot", "--db", "x.sqlite", "--kind", "pie", "--out", "x.png").Code);
}
