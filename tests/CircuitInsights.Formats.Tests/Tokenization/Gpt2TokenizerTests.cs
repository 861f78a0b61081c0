using System.Text;
using CircuitInsights.Formats.Tokenization;
using Microsoft.ML.Tokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>GPT-2 against an independent oracle: Microsoft.ML.Tokenizers' <c>TiktokenTokenizer.CreateForModel("gpt2")</c>, whose
/// ranks come from the Data.Gpt2 package (not from our vendored files) and whose BPE is tiktoken's rank-based algorithm. Three
/// paths are checked: the embedded files (<see cref="Gpt2TokenizerFiles.Load"/>, managed BPE), vocab.json + merges.txt in a model
/// directory, and the generated tokenizer.json (through the Hugging Face library).</summary>
public sealed class Gpt2TokenizerTests : IClassFixture<Gpt2TokenizerTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public TempDirectory Dir { get; } = new();
        public TiktokenTokenizer Oracle { get; } = TiktokenTokenizer.CreateForModel("gpt2");
        public ITokenizer Embedded { get; } = Gpt2TokenizerFiles.Load();
        public ITokenizer FromJson { get; }
        public ITokenizer FromVocabMerges { get; }

        public Fixture()
        {
            Gpt2TokenizerFiles.WriteTo(Dir.Path);
            FromJson = TokenizerLoader.Load(Dir.Path);
            FromVocabMerges = ByteLevelBpeTokenizer.Load(Dir.File("vocab.json"), Dir.File("merges.txt"));
        }

        public void Dispose()
        {
            (FromJson as IDisposable)?.Dispose();
            Dir.Dispose();
        }
    }

    private readonly Fixture _f;

    public Gpt2TokenizerTests(Fixture f) => _f = f;

    public static TheoryData<string> TrickyStrings => new()
    {
        "Hello world!", "", " ", "  ", "   leading spaces", "trailing spaces   ", "a  b   c    d", "\n", "\n\n", "line\n\nnext\n",
        "\r\n", "\ttab\t\tx", " \t \n ", "café é ÉCOLE naïve", "中文 日本語 한국어", "😀👍🏽 🇫🇷 👨‍👩‍👧", "12345 3.14 1,000,000 ½ ⅔ Ⅻ",
        "don't I'll we've they're she'd HE'S it'S", "foo<|endoftext|>bar", "<|endoftext|>", "a <|endoftext|> b", "<|endoftext|><|endoftext|>",
        "<|endoftext", "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis", "!!!??? ... --- ;;; ))) \"\"\" '''",
        "\u001c\u001f\u00a0\u3000x\u2028y\u0085z", "Ġthe", "The officer's headquarters", "x\0y", "https://example.com/a?b=c&d=e#f",
    };

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Encode_TrickyStrings_MatchesTiktokenOracle(string text)
    {
        int[] expected = [.. _f.Oracle.EncodeToIds(text)];
        Assert.Equal(expected, _f.Embedded.Encode(text));
        Assert.Equal(expected, _f.FromVocabMerges.Encode(text));
        Assert.Equal(expected, _f.FromJson.Encode(text));
    }

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Decode_TrickyStrings_RoundTripsLikeOracle(string text)
    {
        int[] ids = _f.Embedded.Encode(text);
        Assert.Equal(text, _f.Embedded.Decode(ids));
        Assert.Equal(_f.Oracle.Decode(ids), _f.Embedded.Decode(ids));
        Assert.Equal(text, _f.FromJson.Decode(ids));
    }

    [Fact]
    public void Encode_SeededRandomText_MatchesOracleOnAllPaths()
    {
        var rng = new Random(20251126);
        string[] atoms = ["a", "Z", "é", "中", "😀", " ", "  ", "\n", "\t", "'", "'s", "'LL", "0", "42", ".", "!", "<|endoftext|>",
            "\u00a0", "ß", "ǅ", "the", " the", "—", "\r", "\u0300"];
        for (int n = 0; n < 300; n++)
        {
            var sb = new StringBuilder();
            int len = rng.Next(0, 25);
            for (int i = 0; i < len; i++) sb.Append(atoms[rng.Next(atoms.Length)]);
            string text = sb.ToString();
            int[] expected = [.. _f.Oracle.EncodeToIds(text)];
            Assert.Equal(expected, _f.Embedded.Encode(text));
            Assert.Equal(expected, _f.FromJson.Encode(text));
            Assert.Equal(text, _f.Embedded.Decode(expected));
        }
    }

    [Fact]
    public void TokenText_EveryId_MatchesOracleDecodeOfThatId()
    {
        var embedded = _f.Embedded;
        Assert.Equal(50257, embedded.VocabSize);
        for (int id = 0; id < embedded.VocabSize; id++)
        {
            string expected = _f.Oracle.Decode([id]);
            Assert.Equal(expected, embedded.TokenText(id));
            Assert.Equal(expected, _f.FromJson.TokenText(id));
        }
    }

    [Fact]
    public void Pieces_KnownEntries()
    {
        foreach (var tok in new[] { _f.Embedded, _f.FromJson, _f.FromVocabMerges })
        {
            Assert.Equal(" the", tok.TokenText(262));
            Assert.Equal("Ġthe", tok.TokenPiece(262));
            Assert.Equal(262, tok.PieceToId("Ġthe"));
            Assert.Equal("Ċ", tok.TokenPiece(198));
            Assert.Equal("\n", tok.TokenText(198));
            Assert.Equal("\uFFFD", tok.TokenText(tok.PieceToId("Ã")!.Value)); // byte 0xC3 alone
            Assert.Equal("<|endoftext|>", tok.TokenPiece(50256));
            Assert.True(tok.IsSpecialToken(50256));
            Assert.False(tok.IsSpecialToken(262));
        }
    }

    [Fact]
    public void Bos_NotAddedByDefault_AddedOnceOnRequest()
    {
        foreach (var tok in new[] { _f.Embedded, _f.FromJson, _f.FromVocabMerges })
        {
            Assert.False(tok.AddsBosByDefault);
            Assert.Equal(50256, tok.BosTokenId);
            Assert.Equal(50256, tok.EosTokenId);
            Assert.Equal([15496, 995], tok.Encode("Hello world"));
            Assert.Equal([50256, 15496, 995], tok.Encode("Hello world", addBos: true));
            Assert.Equal([15496, 995], tok.Encode("Hello world", addBos: false));
            Assert.Equal([262, 3818, 338, 10043], tok.Encode(" the officer's headquarters"));
            Assert.Equal("<|endoftext|>Hello world", tok.Decode([50256, 15496, 995]));
        }
    }

    [Fact]
    public void Encode_LoneSurrogate_IsTreatedAsReplacementCharacter()
    {
        int[] expected = [.. _f.Oracle.EncodeToIds("\uFFFDx")];
        Assert.Equal(expected, _f.Embedded.Encode("\ud800x"));
        Assert.Equal(expected, _f.FromJson.Encode("\ud800x"));
    }

    [Fact]
    public void Loader_PrefersTokenizerJson()
    {
        Assert.IsType<HuggingFaceTokenizer>(_f.FromJson);
        Assert.IsType<ByteLevelBpeTokenizer>(_f.Embedded);
    }
}
