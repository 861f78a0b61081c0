using System.Text.Json.Nodes;
using CircuitInsights.Formats.Tokenization;
using static CircuitInsights.Testing.Tokenization.SyntheticTokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>Missing and malformed tokenizer files give one-line <see cref="InvalidModelFileException"/>s that name the file and
/// say what was expected — and never another exception type or a crash of the process (a TemplateProcessing that names an undefined
/// special token makes the Rust library abort, so it must be caught before).</summary>
public sealed class TokenizerErrorTests
{
    private static InvalidModelFileException LoadFails(TempDirectory dir, string fileName, params string[] fragments)
    {
        var e = Assert.Throws<InvalidModelFileException>(() => TokenizerLoader.Load(dir.Path));
        Assert.Equal(fileName, Path.GetFileName(e.FilePath));
        Assert.DoesNotContain('\n', e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    private static void WriteGemmaWith(TempDirectory dir, Action<JsonObject> edit)
    {
        var json = Gemma();
        edit(json);
        WriteTo(dir.Path, json);
    }

    [Fact]
    public void Load_MissingDirectory_Throws()
    {
        var e = Assert.Throws<InvalidModelFileException>(() => TokenizerLoader.Load("/nonexistent/ci-model-dir"));
        Assert.Contains("/nonexistent/ci-model-dir", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Load_NoTokenizerFile_NamesWhatWasExpected()
    {
        using var dir = new TempDirectory();
        dir.Write("config.json", "{}");
        LoadFails(dir, Path.GetFileName(dir.Path), "no tokenizer found", "tokenizer.json", "vocab.json + merges.txt", "tokenizer.model");
    }

    [Theory]
    [InlineData("", "malformed JSON")]
    [InlineData("{ \"model\": ", "malformed JSON at line 1")]
    [InlineData("[1, 2]", "expected a JSON object at the top level, found an array")]
    [InlineData("{\"version\": \"1.0\"}", "model: expected an object")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"zero\"}, \"merges\": []}}", "model.vocab.a: expected an integer id, found the string \"zero\"")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}", "model.merges: expected an array")]
    [InlineData("{\"model\": {\"type\": \"Magic\", \"vocab\": {\"a\": 0}}}", "model.type: expected BPE, Unigram, WordPiece or WordLevel, found \"Magic\"")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 100000}, \"merges\": []}}", "largest id is 100000")]
    public void Load_MalformedTokenizerJson_Throws(string content, string fragment)
    {
        using var dir = new TempDirectory();
        dir.Write("tokenizer.json", content);
        LoadFails(dir, "tokenizer.json", fragment);
    }

    [Fact]
    public void Load_TruncatedTokenizerJson_Throws()
    {
        using var dir = new TempDirectory();
        string full = Gemma().ToJsonString(RawJson);
        dir.Write("tokenizer.json", full[..(full.Length / 2)]);
        LoadFails(dir, "tokenizer.json", "malformed JSON");
    }

    [Fact]
    public void Load_MergeWithUnknownPiece_RejectedByLibrary()
    {
        using var dir = new TempDirectory();
        WriteGemmaWith(dir, j => ((JsonArray)j["model"]!["merges"]!).Add("x y"));
        LoadFails(dir, "tokenizer.json", "rejected the file");
    }

    [Fact]
    public void Load_TemplateWithUndefinedSpecialToken_ThrowsInsteadOfAborting()
    {
        using var dir = new TempDirectory();
        WriteGemmaWith(dir, j => j["post_processor"]!["special_tokens"] = new JsonObject());
        LoadFails(dir, "tokenizer.json", "post_processor.single[0]", "\"<bos>\" is not defined in post_processor.special_tokens");
    }

    [Fact]
    public void Load_TemplateIdOutsideVocabulary_Throws()
    {
        using var dir = new TempDirectory();
        WriteGemmaWith(dir, j => j["post_processor"] = BosTemplate("<bos>", 99999));
        LoadFails(dir, "tokenizer.json", "post_processor.special_tokens.<bos>.ids[0]", "99999");
    }

    [Fact]
    public void Load_UnsupportedDecoder_Throws()
    {
        using var dir = new TempDirectory();
        WriteGemmaWith(dir, j => j["decoder"] = new JsonObject { ["type"] = "CTC" });
        LoadFails(dir, "tokenizer.json", "decoder.type: decoder 'CTC' is not supported");
    }

    [Fact]
    public void Load_MalformedTokenizerConfig_NamesIt()
    {
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Gemma());
        dir.Write("tokenizer_config.json", "{\"add_bos_token\": \"yes\"}");
        LoadFails(dir, "tokenizer_config.json", "add_bos_token: expected true or false, found the string \"yes\"");
    }

    [Fact]
    public void Load_BosTokenNotInVocabulary_NamesConfigFile()
    {
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Llama3(templateAddsBos: false));
        dir.Write("special_tokens_map.json", "{\"bos_token\": \"<s>\"}");
        LoadFails(dir, "special_tokens_map.json", "bos_token: \"<s>\" is not in the vocabulary of tokenizer.json");
    }

    [Fact]
    public void Load_ConfigEosIdOutOfRange_NamesConfigJson()
    {
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Llama3());
        dir.Write("config.json", "{\"eos_token_id\": 128001}");
        LoadFails(dir, "config.json", "eos_token_id: expected a token id in [0, 275)");
    }

    [Fact]
    public void Load_AddBosWithoutAnyBos_Throws()
    {
        using var dir = new TempDirectory();
        WriteGemmaWith(dir, j => j["post_processor"] = null);
        dir.Write("tokenizer_config.json", "{\"add_bos_token\": true}");
        LoadFails(dir, "tokenizer_config.json", "no bos_token");
    }

    [Fact]
    public void Load_VocabWithoutMerges_NamesMissingFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("vocab.json"), Gpt2TokenizerFiles.VocabJson());
        LoadFails(dir, "merges.txt", "file not found", "needs both vocab.json and merges.txt");
    }

    [Theory]
    [InlineData("#version: 0.2\na b\nab\n", "line 3: expected two pieces separated by one space, found \"ab\"")]
    [InlineData("a b c\n", "line 1: expected two pieces")]
    [InlineData("a q\n", "merge \"a q\" uses \"q\", which vocab.json lacks")]
    public void Load_MalformedMerges_Throws(string merges, string fragment)
    {
        using var dir = new TempDirectory();
        dir.Write("vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        dir.Write("merges.txt", merges);
        LoadFails(dir, "merges.txt", fragment);
    }

    [Fact]
    public void Load_VocabJsonNotAnObject_Throws()
    {
        using var dir = new TempDirectory();
        dir.Write("vocab.json", "[\"a\"]");
        dir.Write("merges.txt", "#version: 0.2\n");
        LoadFails(dir, "vocab.json", "expected a JSON object");
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A, 0x03, 0x61 }, "length 5 runs past the end")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF }, "truncated varint")]
    [InlineData(new byte[] { }, "found no pieces")]
    [InlineData(new byte[] { 0x0A, 0x03, 0x0A, 0x01, 0x61 }, "Microsoft.ML.Tokenizers cannot use this SentencePiece model")] // one piece, no trainer spec
    public void Load_MalformedSentencePieceModel_Throws(byte[] content, string fragment)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("tokenizer.model"), content);
        LoadFails(dir, "tokenizer.model", fragment);
    }

    [Fact]
    public void Encode_AfterDispose_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        var tok = HuggingFaceTokenizer.Load(WriteTo(dir.Path, Gemma()));
        tok.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tok.Encode("a"));
    }
}
