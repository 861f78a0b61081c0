namespace CircuitInsights.Formats.Tests;

public sealed class JsonConfigTests
{
    const string Llama = """
    {
      "architectures": ["LlamaForCausalLM"],
      "bos_token_id": 128000,
      "eos_token_id": [128001, 128008],
      "hidden_size": 2048,
      "rms_norm_eps": 1e-05,
      "rope_scaling": {"factor": 32.0, "rope_type": "llama3", "original_max_position_embeddings": 8192},
      "rope_theta": 500000.0,
      "tie_word_embeddings": true,
      "torch_dtype": "bfloat16",
      "pad_token_id": null,
      // comments and trailing commas are tolerated
      "vocab_size": 128256,
    }
    """;

    [Fact]
    public void Getters_ReadHfConfigValues()
    {
        var c = JsonConfig.Parse(Llama, "config.json");
        Assert.Equal(2048, c.GetInt("hidden_size"));
        Assert.Equal(1e-5f, c.GetFloat("rms_norm_eps"));
        Assert.Equal(500000.0, c.GetDouble("rope_theta"));
        Assert.Equal("bfloat16", c.GetString("torch_dtype"));
        Assert.True(c.GetBool("tie_word_embeddings"));
        Assert.Equal([128001, 128008], c.GetIntList("eos_token_id"));
        Assert.Equal([128000], c.GetIntList("bos_token_id")); // a scalar is a one-element list
        Assert.Equal(["LlamaForCausalLM"], c.GetStringList("architectures"));
        Assert.Null(c.GetOptionalInt("pad_token_id"));
        Assert.Null(c.GetOptionalInt("absent"));
        Assert.Equal(7, c.GetInt("absent", 7));
        var rope = c.GetObject("rope_scaling");
        Assert.Equal(32f, rope.GetFloat("factor"));
        Assert.Equal("rope_scaling", rope.KeyPath);
        Assert.Null(c.GetOptionalObject("quantization_config"));
        Assert.Equal(11, c.Keys.Count());
    }

    [Fact]
    public void GetInt_WrongType_NamesFileKeyExpectedAndFound()
    {
        var c = JsonConfig.Parse(Llama, "config.json");
        BadInput.ThrowsFile(() => c.GetInt("torch_dtype"), "config.json", "'torch_dtype'", "expected an integer", "string \"bfloat16\"", "line");
        BadInput.ThrowsFile(() => c.GetInt("rms_norm_eps"), "'rms_norm_eps'", "expected an integer", "number 1e-05");
        BadInput.ThrowsFile(() => c.GetString("hidden_size"), "'hidden_size'", "expected a string");
        BadInput.ThrowsFile(() => c.GetBool("vocab_size"), "'vocab_size'", "expected a bool");
        BadInput.ThrowsFile(() => c.GetObject("rope_scaling").GetInt("rope_type"), "'rope_scaling.rope_type'", "expected an integer");
        BadInput.ThrowsFile(() => c.GetIntList("architectures"), "'architectures[0]'", "expected an integer");
    }

    [Fact]
    public void GetInt_MissingKey_NamesKeyAndExpectedType() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse("{}", "c.json").GetInt("n_layer"), "c.json", "missing required key 'n_layer'", "integer");

    [Fact]
    public void GetInt_OutOfRange_Throws() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse("{\"n\": 99999999999}", "c.json").GetInt("n"), "'n'", "32-bit");

    [Fact]
    public void Parse_InvalidJson_ReportsLine() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse("{\n  \"a\": 1,\n  \"b\": ]\n}", "bad.json"), "bad.json", "invalid JSON", "line 3");

    [Fact]
    public void Parse_NonObjectRoot_Throws() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse("[1, 2]", "l.json"), "l.json", "expected a JSON object");

    [Fact]
    public void Parse_Empty_Throws() => BadInput.ThrowsFile(() => JsonConfig.Parse("   ", "e.json"), "e.json");

    [Fact]
    public void Parse_DeepNesting_IsRejectedNotCrashed() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse(new string('[', 100_000), "deep.json"), "deep.json", "invalid JSON");

    [Fact]
    public void Parse_LoneSurrogateEscape_IsAnInvalidModelFile() =>
        BadInput.ThrowsFile(() => JsonConfig.Parse("{\"a\": \"\\ud800\"}", "s.json"), "s.json");

    [Fact]
    public void Parse_DuplicateKey_KeepsLastLikePython() =>
        Assert.Equal(2, JsonConfig.Parse("{\"a\": 1, \"a\": 2}", "d.json").GetInt("a"));

    [Fact]
    public void Load_MissingFile_Throws()
    {
        using var dir = new TempDir();
        BadInput.ThrowsFile(() => JsonConfig.Load(dir.File("config.json")), "config.json", "not found");
    }

    [Fact]
    public void Load_InvalidUtf8_Throws()
    {
        using var dir = new TempDir();
        string path = dir.Write("config.json", [(byte)'{', 0xFF, (byte)'}']);
        BadInput.ThrowsFile(() => JsonConfig.Load(path), path, "UTF-8");
    }
}
