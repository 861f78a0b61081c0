namespace CircuitInsights.Formats.Tests;

public sealed class YamlConfigTests
{
    const string CircuitTracer = """
    model_name: "google/gemma-2-2b"
    model_kind: transcoder_set
    feature_input_hook: "ln2.hook_normalized"
    feature_output_hook: 'hook_mlp_out'
    scan: gemma-2-2b
    k: 64
    threshold: 0.5
    big: 1e-3
    use_skip: yes
    nothing: ~
    transcoders:
      - "hf://google/gemma-scope-2b-pt-transcoders/layer_0/width_16k/average_l0_76/params.npz"
      - "hf://google/gemma-scope-2b-pt-transcoders/layer_1/width_16k/average_l0_65/params.npz"
    defaults: &d
      activation: relu
    override:
      base: *d
      layers: [0, 1, 2]
    """;

    [Fact]
    public void Getters_ReadCircuitTracerConfig()
    {
        var c = YamlConfig.Parse(CircuitTracer, "config.yaml");
        Assert.Equal("google/gemma-2-2b", c.GetString("model_name"));
        Assert.Equal("transcoder_set", c.GetString("model_kind"));
        Assert.Equal("hook_mlp_out", c.GetString("feature_output_hook"));
        Assert.Equal(64, c.GetInt("k"));
        Assert.Equal(0.5, c.GetDouble("threshold"));
        Assert.Equal(1e-3, c.GetDouble("big"));
        Assert.True(c.GetBool("use_skip"));
        Assert.Null(c.GetOptionalString("nothing"));
        Assert.Equal(2, c.GetStringList("transcoders").Count);
        Assert.EndsWith("average_l0_65/params.npz", c.GetStringList("transcoders")[1]);
        Assert.Equal("relu", c.GetObject("override").GetObject("base").GetString("activation"));
        Assert.Equal([0, 1, 2], c.GetObject("override").GetIntList("layers"));
        Assert.Null(c.GetOptionalStringList("absent"));
    }

    [Fact]
    public void QuotedNumber_IsAString()
    {
        var c = YamlConfig.Parse("a: '5'\nb: 5\n", "q.yaml");
        Assert.Equal("5", c.GetString("a"));
        BadInput.ThrowsFile(() => c.GetInt("a"), "q.yaml", "'a'", "expected an integer", "string \"5\"", "line 1");
        BadInput.ThrowsFile(() => c.GetString("b"), "'b'", "expected a string", "number 5", "line 2");
    }

    [Fact]
    public void Getters_WrongTypeInNestedKey_NameFileKeyAndLine()
    {
        var c = YamlConfig.Parse(CircuitTracer, "config.yaml");
        BadInput.ThrowsFile(() => c.GetObject("override").GetStringList("layers"), "config.yaml", "'override.layers[0]'", "expected a string", "line 18");
        BadInput.ThrowsFile(() => c.GetInt("model_name"), "'model_name'", "line 1");
        BadInput.ThrowsFile(() => c.GetObject("transcoders"), "'transcoders'", "expected an object", "a list of 2");
    }

    [Fact]
    public void Parse_SyntaxError_ReportsFileAndLine() =>
        BadInput.ThrowsFile(() => YamlConfig.Parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"), "bad.yaml", "invalid YAML", "line");

    [Fact]
    public void Parse_TopLevelList_IsRejected() =>
        BadInput.ThrowsFile(() => YamlConfig.Parse("- 1\n- 2\n", "l.yaml"), "l.yaml", "expected a mapping");

    [Fact]
    public void Parse_Empty_IsEmptyMapping() => Assert.Empty(YamlConfig.Parse("", "e.yaml").Keys);

    [Fact]
    public void Parse_UnknownAlias_Throws() =>
        BadInput.ThrowsFile(() => YamlConfig.Parse("a: *nope\n", "a.yaml"), "a.yaml");

    [Fact]
    public void Parse_BillionLaughs_SharesNodesInsteadOfExpanding()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 30; i++) yaml += $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat(i == 1 ? "*a" : $"*l{i - 1}", 10))}]\n";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var c = YamlConfig.Parse(yaml, "lol.yaml");
        Assert.Equal(10, c.GetNode("l29")!.Items.Count);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Parse_DeepFlowNesting_IsRejectedNotCrashed() =>
        BadInput.ThrowsFile(() => YamlConfig.Parse("a: " + new string('[', 5000) + new string(']', 5000), "deep.yaml"), "deep.yaml");

    [Fact]
    public void Parse_ComplexKey_Throws() =>
        BadInput.ThrowsFile(() => YamlConfig.Parse("? [a, b]\n: 1\n", "k.yaml"), "k.yaml", "keys must be scalars");

    [Fact]
    public void Load_MissingFile_Throws()
    {
        using var dir = new TempDir();
        BadInput.ThrowsFile(() => YamlConfig.Load(dir.File("config.yaml")), "config.yaml", "not found");
    }
}
