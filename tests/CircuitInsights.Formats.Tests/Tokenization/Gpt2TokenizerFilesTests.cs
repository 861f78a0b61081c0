using System.Security.Cryptography;
using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>The vendored GPT-2 files and the model directory <see cref="Gpt2TokenizerFiles.WriteTo"/> writes, checked against the
/// SHA-256 of the files OpenAI (gpt-2 encodings, also pinned by tiktoken) and openai-community/gpt2 publish.</summary>
public sealed class Gpt2TokenizerFilesTests
{
    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public void EmbeddedFiles_AreTheOfficialGpt2Files()
    {
        Assert.Equal("196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783", Sha256(Gpt2TokenizerFiles.VocabJson()));
        Assert.Equal("1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5", Sha256(Gpt2TokenizerFiles.MergesTxt()));
    }

    [Fact]
    public void WriteTo_WritesHuggingFaceGpt2FilesByteForByte()
    {
        using var dir = new TempDirectory();
        string target = Path.Combine(dir.Path, "nested", "gpt2");
        Gpt2TokenizerFiles.WriteTo(target);
        string Hash(string name) => Sha256(File.ReadAllBytes(Path.Combine(target, name)));
        Assert.Equal("196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783", Hash("vocab.json"));
        Assert.Equal("1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5", Hash("merges.txt"));
        // openai-community/gpt2 tokenizer.json: 1,355,256 bytes.
        Assert.Equal(1_355_256, new FileInfo(Path.Combine(target, "tokenizer.json")).Length);
        Assert.Equal("8414cab924d8b9b33013f0d221c5862f365ee9be39c5c2bfae8a5a9e970478a6", Hash("tokenizer.json"));
        // tokenizer_config.json (26 bytes) and onnx/special_tokens_map.json (99 bytes) of openai-community/gpt2.
        Assert.Equal("5e04eb606e3a1583530a42e36c2a6b6615c86f34fe77e44d9ddeb43ff940931f", Hash("tokenizer_config.json"));
        Assert.Equal("6f50ab5a5a509a1c309d6171f339b196a900dc9c99ad0408ff23bb615fdae7ad", Hash("special_tokens_map.json"));
    }

    [Fact]
    public void WriteTo_ThenLoad_GivesGpt2Ids()
    {
        using var dir = new TempDirectory();
        Gpt2TokenizerFiles.WriteTo(dir.Path);
        Gpt2TokenizerFiles.WriteTo(dir.Path); // overwriting is fine
        var tok = TokenizerLoader.Load(dir.Path);
        try
        {
            Assert.Equal([15496, 995, 0], tok.Encode("Hello world!"));
            Assert.Equal(50256, tok.BosTokenId);
        }
        finally { (tok as IDisposable)?.Dispose(); }
    }

    [Fact]
    public void Load_ReturnsSharedInstance()
    {
        Assert.Same(Gpt2TokenizerFiles.Load(), Gpt2TokenizerFiles.Load());
    }
}
