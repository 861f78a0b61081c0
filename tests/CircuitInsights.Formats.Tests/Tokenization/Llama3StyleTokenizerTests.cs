using CircuitInsights.Formats.Tokenization;
using static CircuitInsights.Testing.Tokenization.SyntheticTokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>A tokenizer.json in Llama-3's format (Split by the Llama-3 regex, ByteLevel without regex, BPE with ignore_merges,
/// post-processor Sequence[ByteLevel, TemplateProcessing(&lt;|begin_of_text|&gt;)]), encoded by the real Hugging Face library.
/// Expected ids are derived by hand from <see cref="CircuitInsights.Testing.Tokenization.SyntheticTokenizers.Llama3"/>: the regex splits the text; each part's UTF-8
/// bytes become byte-level characters (id = byte value: 'a' = 97, space 'Ġ' = 32, '\n' 'Ċ' = 10); a part that is itself in the
/// vocabulary is taken whole (ignore_merges); otherwise the lowest-rank merge is applied repeatedly, leftmost first on ties.</summary>
public sealed class Llama3StyleTokenizerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly HuggingFaceTokenizer _tok;

    public Llama3StyleTokenizerTests()
    {
        WriteTo(_dir.Path, Llama3());
        _dir.Write("tokenizer_config.json", """{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "model_max_length": 131072}""");
        _tok = HuggingFaceTokenizer.Load(_dir.File("tokenizer.json"));
    }

    public void Dispose()
    {
        _tok.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<string, int[]> Cases => new()
    {
        // Parts "the", " cat". "the": h+e (rank 1) → he. "Ġcat": Ġ+c (5), Ġc+a (6), Ġca+t (7) → Ġcat.
        { "the cat", ['t', LlamaId("he"), LlamaId("Ġcat")] },
        // "Ġthe": Ġ+t (0), h+e (1), Ġt+he (2).
        { " the", [LlamaId("Ġthe")] },
        // \p{N}{1,3}: "123" | "45". 1+2 (8), 12+3 (9) → 123.
        { "12345", [LlamaId("123"), '4', '5'] },
        // Case-insensitive contractions: "I" | "'LL" | " go". The merges "' l", "'l l" are lower-case, so 'LL stays bytes.
        { "I'LL go", ['I', '\'', 'L', 'L', ' ', 'g', 'o'] },
        { "i'll", ['i', LlamaId("'ll")] },
        // "a" | "  \n\n" (\s*[\r\n]+) | "b". ĠĠĊĊ: Ċ+Ċ (10) before Ġ+Ġ (11).
        { "a  \n\nb", ['a', LlamaId("ĠĠ"), LlamaId("ĊĊ"), 'b'] },
        // "a" | "  " (\s+(?!\S) backs off one space) | " b".
        { "a   b", ['a', LlamaId("ĠĠ"), ' ', 'b'] },
        // Trailing spaces: "cat" | "  ". No merge for c+a without Ġ.
        { "cat  ", ['c', 'a', 't', LlamaId("ĠĠ")] },
        // "Ġzzz" is in the vocabulary but no merge builds it: ignore_merges takes the whole part.
        { " zzz", [LlamaId("Ġzzz")] },
        // é = C3 A9 = "Ã©": merge 12.
        { "café", ['c', 'a', 'f', LlamaId("Ã©")] },
        // 中 = E4 B8 AD; 😀 = F0 9F 98 80 (one symbol part).
        { "中", [0xE4, 0xB8, 0xAD] },
        { "😀", [0xF0, 0x9F, 0x98, 0x80] },
        // Special tokens are cut out of the text.
        { "<|begin_of_text|>the<|end_of_text|>", [BeginOfText, 't', LlamaId("he"), EndOfText] },
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
        Assert.Equal("<|begin_of_text|>" + text, _tok.Decode(_tok.Encode(text)));
    }

    [Fact]
    public void Encode_Default_AddsBeginOfTextOnce()
    {
        Assert.True(_tok.AddsBosByDefault);
        Assert.Equal(BeginOfText, _tok.BosTokenId);
        Assert.Equal(EndOfText, _tok.EosTokenId);
        Assert.Equal([BeginOfText, LlamaId("Ġthe")], _tok.Encode(" the"));
        Assert.Equal([BeginOfText, LlamaId("Ġthe")], _tok.Encode(" the", addBos: true));
        Assert.Equal([LlamaId("Ġthe")], _tok.Encode(" the", addBos: false));
    }

    [Fact]
    public void Load_PostProcessorWithoutTemplate_DoesNotAddBos()
    {
        // As in the @lenml Llama-3 tokenizer.json (post_processor = ByteLevel only); BOS still named by tokenizer_config.json.
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Llama3(templateAddsBos: false));
        dir.Write("tokenizer_config.json", """{"bos_token": {"content": "<|begin_of_text|>", "special": true}, "eos_token": "<|end_of_text|>"}""");
        using var tok = HuggingFaceTokenizer.Load(dir.File("tokenizer.json"));
        Assert.False(tok.AddsBosByDefault);
        Assert.Equal(BeginOfText, tok.BosTokenId);
        Assert.Equal([LlamaId("Ġthe")], tok.Encode(" the"));
        Assert.Equal([BeginOfText, LlamaId("Ġthe")], tok.Encode(" the", addBos: true));
    }

    [Fact]
    public void Load_ConfigJsonOnly_GivesEosFromEosTokenIdList()
    {
        using var dir = new TempDirectory();
        WriteTo(dir.Path, Llama3());
        dir.Write("config.json", """{"bos_token_id": 272, "eos_token_id": [273, 274], "model_type": "llama"}""");
        using var tok = HuggingFaceTokenizer.Load(dir.File("tokenizer.json"));
        Assert.Equal(BeginOfText, tok.BosTokenId);
        Assert.Equal(EndOfText, tok.EosTokenId);
    }

    [Fact]
    public void TokenText_DecodesBytesOfOnePiece()
    {
        Assert.Equal(" the", _tok.TokenText(LlamaId("Ġthe")));
        Assert.Equal("Ġthe", _tok.TokenPiece(LlamaId("Ġthe")));
        Assert.Equal("\n\n", _tok.TokenText(LlamaId("ĊĊ")));
        Assert.Equal("é", _tok.TokenText(LlamaId("Ã©")));
        Assert.Equal("\uFFFD", _tok.TokenText(0xC3));
        Assert.Equal("<|end_of_text|>", _tok.TokenText(EndOfText));
        Assert.True(_tok.IsSpecialToken(Reserved0));
        Assert.Equal(Reserved0 + 1, _tok.VocabSize);
    }
}
