namespace CircuitInsights.Hub.Tests;

public sealed class RepoFilePatternsTests
{
    static readonly string[] Files = ["config.json", "model.safetensors", "onnx/model.onnx", "sub/dir/a.json", "tokenizer.json", "[odd].txt", "layer_10.safetensors"];

    [Theory]
    [InlineData("*.json", "config.json,sub/dir/a.json,tokenizer.json")] // '*' crosses '/', as in fnmatch
    [InlineData("onnx/", "onnx/model.onnx")]                             // a trailing '/' means the folder
    [InlineData("layer_?.safetensors", "")]
    [InlineData("layer_??.safetensors", "layer_10.safetensors")]
    [InlineData("[!cs]*.json", "tokenizer.json")]
    [InlineData("[[]odd].txt", "[odd].txt")]
    [InlineData("config.json", "config.json")]
    public void Filter_UsesFnmatchSemantics(string pattern, string expected)
    {
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), RepoFilePatterns.Filter(Files, [pattern]));
    }

    [Fact]
    public void Filter_NullAllowKeepsAll_IgnoreRemoves()
    {
        Assert.Equal(Files, RepoFilePatterns.Filter(Files, null));
        Assert.Equal(["model.safetensors", "layer_10.safetensors"], RepoFilePatterns.Filter(Files, ["*.safetensors", "*.onnx"], ["onnx/*"]));
    }
}
