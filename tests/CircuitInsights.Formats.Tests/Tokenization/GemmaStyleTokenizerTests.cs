using CircuitInsights.Formats.Tokenization;
using static CircuitInsights.Testing.Tokenization.SyntheticTokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>A tokenizer.json in Gemma-2's format (normalizer " " → "▁", no pre-tokenizer, BPE with byte fallback, TemplateProcessing
/// adding &lt;bos&gt; = 2), encoded by the real Hugging Face library. Expected ids are derived by hand from
/// <see cref="CircuitInsights.Testing.Tokenization.SyntheticTokenizers.Gemma"/>: the whole normalized text is one BPE word; its characters start as symbols (a character
/// missing from the vocabulary becomes its UTF-8 bytes as &lt;0xXX&gt; pieces, id 7 + byte); then the adjacent pair with the lowest
/// merge rank is merged, leftmost first on ties, until no pair has a merge.</summary>
public sealed class GemmaStyleTokenizerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly HuggingFaceTokenizer _tok;

    public GemmaStyleTokenizerTests() => _tok = HuggingFaceTokenizer.Load(WriteTo(_dir.Path, Gemma()));

    public void Dispose()
    {
        _tok.Dispose();
        _dir.Dispose();
    }

    private static int B(int b) => GemmaByteBase + b;

    public static TheoryData<string, int[]> Cases => new()
    {
        // "the▁cat": h+e (rank 1) → he; c+a (3) → ca; ca+t (4) → cat; ▁+cat (5) → ▁cat. No dummy prefix, so "the" has no ▁.
        { "the cat", [GemmaId("t"), GemmaId("he"), GemmaId("▁cat")] },
        // "▁the": ▁+t (0) → ▁t; h+e (1) → he; ▁t+he (2) → ▁the.
        { " the", [GemmaId("▁the")] },
        // "▁▁the": ▁+t (0) at position 1 beats ▁+▁ (6); then he, ▁the; the first ▁ is left alone.
        { "  the", [GemmaId("▁"), GemmaId("▁the")] },
        // "▁▁▁": ▁+▁ (6) leftmost → ▁▁, then ▁▁+▁ (11) → ▁▁▁.
        { "   ", [GemmaId("▁▁▁")] },
        // "a▁▁▁▁▁b": 'b' is not a piece → <0x62>. Spaces: ▁▁ at 0, then ▁▁ at 2 (rank 6 beats ▁▁+▁ rank 11), then ▁▁+▁▁ (7) → ▁▁▁▁; one ▁ left.
        { "a     b", [GemmaId("a"), GemmaId("▁▁▁▁"), GemmaId("▁"), B('b')] },
        // \n+\n (8) → "\n\n"; a third \n stays alone.
        { "\n\n\n", [GemmaId("\n\n"), GemmaId("\n")] },
        // 'f' is not a piece → <0x66>; é is a piece; c+a (3) → ca (no "ca f" merge).
        { "café", [GemmaId("ca"), B('f'), GemmaId("é")] },
        // 中 = E4 B8 AD, 😀 = F0 9F 98 80: byte fallback.
        { "中😀", [B(0xE4), B(0xB8), B(0xAD), B(0xF0), B(0x9F), B(0x98), B(0x80)] },
        // Tab (0x09) is not a piece → <0x09>; "on" (9) then ▁+on (10) → ▁on.
        { "\t on", [B(0x09), GemmaId("▁on")] },
        // Added tokens are cut out of the raw text first; the rest is normalized and merged.
        { "<start_of_turn>the cat<end_of_turn>", [5, GemmaId("t"), GemmaId("he"), GemmaId("▁cat"), 6] },
        { "<bos> the", [2, GemmaId("▁the")] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_WithoutBos_GivesHandDerivedIds(string text, int[] expected)
    {
        Assert.Equal(expected, _tok.Encode(text, addBos: false));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_OfEncode_RoundTrips(string text, int[] expected)
    {
        Assert.Equal(text, _tok.Decode(expected));
        Assert.Equal("<bos>" + text, _tok.Decode(_tok.Encode(text)));
    }

    [Fact]
    public void Encode_WithGemmasNoOpSplitPreTokenizer_GivesSameIds()
    {
        // Some Gemma tokenizer.json files carry pre_tokenizer Split(" ", MergedWithPrevious), a no-op after the normalizer has
        // replaced every space (transformers issue #43062).
        var json = Gemma();
        json["pre_tokenizer"] = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "Split", ["pattern"] = new System.Text.Json.Nodes.JsonObject { ["String"] = " " },
            ["behavior"] = "MergedWithPrevious", ["invert"] = false,
        };
        using var dir = new TempDirectory();
        using var tok = HuggingFaceTokenizer.Load(WriteTo(dir.Path, json));
        foreach (var row in Cases)
        {
            var (text, expected) = row.Data;
            Assert.Equal(expected, tok.Encode(text, addBos: false));
        }
    }

    [Fact]
    public void Encode_Default_AddsBosOnceFromTemplate()
    {
        Assert.True(_tok.AddsBosByDefault);
        Assert.Equal(2, _tok.BosTokenId);
        Assert.Equal([2, GemmaId("▁the")], _tok.Encode(" the"));
        Assert.Equal([2, GemmaId("▁the")], _tok.Encode(" the", addBos: true));
        Assert.Equal([GemmaId("▁the")], _tok.Encode(" the", addBos: false));
        Assert.Equal([2], _tok.Encode(""));
    }

    [Fact]
    public void Load_WithConfigFiles_TakesAddBosAndEosFromThem()
    {
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Gemma());
        dir.Write("tokenizer_config.json", """{"add_bos_token": false, "add_eos_token": false, "bos_token": "<bos>", "eos_token": "<eos>"}""");
        using var tok = HuggingFaceTokenizer.Load(dir.File("tokenizer.json"));
        Assert.False(tok.AddsBosByDefault);
        Assert.Equal(2, tok.BosTokenId);
        Assert.Equal(1, tok.EosTokenId);
        Assert.Equal([GemmaId("▁the")], tok.Encode(" the"));
        Assert.Equal([2, GemmaId("▁the")], tok.Encode(" the", addBos: true));
    }

    [Fact]
    public void TokenText_GivesDecodedTextOfOnePiece()
    {
        Assert.Equal(" the", _tok.TokenText(GemmaId("▁the")));
        Assert.Equal("▁the", _tok.TokenPiece(GemmaId("▁the")));
        Assert.Equal("\n", _tok.TokenText(B(0x0A)));
        Assert.Equal("<0x0A>", _tok.TokenPiece(B(0x0A)));
        Assert.Equal("\uFFFD", _tok.TokenText(B(0xE4)));  // lead byte of a 3-byte character, alone
        Assert.Equal("<bos>", _tok.TokenText(2));
        Assert.Equal(B(0x0A), _tok.PieceToId("<0x0A>"));
        Assert.Null(_tok.PieceToId("▁nope"));
    }

    [Fact]
    public void Decode_IncompleteByteRun_GivesOneReplacementPerByte()
    {
        // ByteFallback: a run of consecutive byte pieces that is not valid UTF-8 becomes one U+FFFD per byte (tokenizers crate),
        // including bytes that would be valid alone (<0x62> 'b' here belongs to the run).
        Assert.Equal("a\uFFFD\uFFFDt", _tok.Decode([GemmaId("a"), B(0xE4), B(0xB8), GemmaId("t")]));
        Assert.Equal("a\uFFFD\uFFFD\uFFFD", _tok.Decode([GemmaId("a"), B(0xE4), B(0xB8), B('b')]));
        Assert.Equal("中b", _tok.Decode([B(0xE4), B(0xB8), B(0xAD), B('b')]));
    }

    [Fact]
    public void Vocabulary_CountsAndSpecials()
    {
        Assert.Equal(263 + GemmaPieces.Length, _tok.VocabSize);
        Assert.True(_tok.IsSpecialToken(2));
        Assert.True(_tok.IsSpecialToken(5));
        Assert.False(_tok.IsSpecialToken(GemmaId("▁the")));
        Assert.False(_tok.IsSpecialToken(-1));
        Assert.Equal("BPE", _tok.ModelType);
    }

    [Fact]
    public void TokenText_IdOutsideVocabulary_ThrowsCircuitInsightsException()
    {
        var e = Assert.Throws<CircuitInsightsException>(() => _tok.TokenText(_tok.VocabSize));
        Assert.Contains("outside the vocabulary", e.Message);
        Assert.Throws<CircuitInsightsException>(() => _tok.Decode([1, -5]));
    }
}
