using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>tokenizer.model through Microsoft.ML.Tokenizers, against python sentencepiece 0.1.97 (<c>sp.encode(text)</c> and
/// <c>sp.decode(ids)</c>, recorded below) on the models of <see cref="SentencePieceFixtures"/>.</summary>
public sealed class SentencePieceModelTokenizerTests
{
    private static SentencePieceModelTokenizer Load(TempDirectory dir, byte[] model, string? tokenizerConfig = null)
    {
        File.WriteAllBytes(dir.File("tokenizer.model"), model);
        if (tokenizerConfig is not null) dir.Write("tokenizer_config.json", tokenizerConfig);
        return Assert.IsType<SentencePieceModelTokenizer>(TokenizerLoader.Load(dir.Path));
    }

    // Expected ids: python sentencepiece, SentencePieceProcessor(model_file=...).encode(text).
    public static TheoryData<string, int[]> GemmaLikeCases => new()
    {
        { "the cat sat", [310, 263, 275, 266, 306] },
        { " the  cat", [264, 307, 275, 266] },
        { "  leading", [307, 307, 282, 309, 317, 290, 319] },
        { "trailing  ", [310, 311, 309, 316, 318, 290, 319, 307, 307] },
        { "\n\nnew line", [16, 16, 312, 308, 326, 307, 318, 290, 308] },
        { "12345 and 3.14", [331, 332, 334, 335, 337, 307, 277, 307, 334, 52, 331, 335] },
        { "café 中文 😀", [324, 309, 323, 329, 307, 234, 190, 179, 236, 156, 141, 307, 246, 165, 158, 134] },
        { "<start_of_turn>the dog<end_of_turn>", [4, 310, 263, 307, 291, 5] },
        { "", [] },
        { "naïve zebra quiz", [312, 309, 330, 321, 308, 307, 128, 308, 320, 311, 309, 307, 119, 123, 316, 128] },
        { "\t tab", [15, 262, 309, 320] },
        { "the   river", [310, 263, 307, 307, 274, 297] },
        { "ÿ", [201, 197] },
    };

    public static TheoryData<string, int[]> Llama2LikeCases => new()
    {
        { "the cat sat", [264, 276, 266, 281] },
        { " the  cat", [307, 264, 307, 276, 266] },
        { "  leading", [307, 307, 307, 286, 309, 317, 298, 319] },
        { "trailing  ", [262, 311, 309, 316, 318, 298, 319, 307, 307] },
        { "\n\nnew line", [307, 16, 16, 312, 308, 326, 307, 318, 298, 308] },
        { "12345 and 3.14", [307, 331, 332, 334, 335, 337, 278, 307, 334, 52, 331, 335] },
        { "café 中文 😀", [276, 309, 323, 329, 307, 234, 190, 179, 236, 156, 141, 307, 246, 165, 158, 134] },
        { "", [] },
        { "\t tab", [307, 15, 262, 309, 320] },
        { "the   river", [264, 307, 307, 273, 316, 274] },
    };

    [Theory]
    [MemberData(nameof(GemmaLikeCases))]
    public void Encode_GemmaLike_MatchesSentencePiece(string text, int[] expected)
    {
        using var dir = new TempDirectory();
        var tok = Load(dir, SentencePieceFixtures.GemmaLike);
        Assert.Equal(expected, tok.Encode(text, addBos: false));
        Assert.Equal(text, tok.Decode(expected));
    }

    [Theory]
    [MemberData(nameof(Llama2LikeCases))]
    public void Encode_Llama2Like_MatchesSentencePiece(string text, int[] expected)
    {
        using var dir = new TempDirectory();
        var tok = Load(dir, SentencePieceFixtures.Llama2Like);
        Assert.Equal(expected, tok.Encode(text, addBos: false));
        Assert.Equal(text, tok.Decode(expected));
    }

    [Fact]
    public void Encode_Llama2LikeSpecialTokenFirst_DummyPrefixGoesToTheTextAfterIt()
    {
        // Known difference: python sentencepiece prefixes the whole text, so "<start_of_turn>the dog<end_of_turn>" gives
        // [307 "▁", 4, 310 "the", 263, 301, 5]; Microsoft.ML.Tokenizers cuts the special tokens out first and prefixes the text
        // after them: [4, 264 "▁the", 301, 5]. Gemma-style models (no dummy prefix) agree (see the GemmaLike cases).
        using var dir = new TempDirectory();
        var tok = Load(dir, SentencePieceFixtures.Llama2Like);
        Assert.Equal([4, 264, 301, 5], tok.Encode("<start_of_turn>the dog<end_of_turn>", addBos: false));
    }

    [Fact]
    public void Bos_AddedByDefault_UnlessConfigSaysOtherwise()
    {
        using var dir = new TempDirectory();
        var tok = Load(dir, SentencePieceFixtures.GemmaLike);
        Assert.True(tok.AddsBosByDefault);
        Assert.Equal(2, tok.BosTokenId);
        Assert.Equal(1, tok.EosTokenId);
        Assert.Equal([2, 310, 263, 275, 266, 306], tok.Encode("the cat sat"));
        Assert.Equal([310, 263, 275, 266, 306], tok.Encode("the cat sat", addBos: false));

        using var dir2 = new TempDirectory();
        var tok2 = Load(dir2, SentencePieceFixtures.GemmaLike, """{"add_bos_token": false}""");
        Assert.False(tok2.AddsBosByDefault);
        Assert.Equal([2, 310, 263, 275, 266, 306], tok2.Encode("the cat sat", addBos: true));
    }

    [Fact]
    public void Pieces_AndTokenText()
    {
        using var dir = new TempDirectory();
        var tok = Load(dir, SentencePieceFixtures.Llama2Like);
        Assert.Equal(340, tok.VocabSize);
        Assert.Equal("▁the", tok.TokenPiece(264));
        Assert.Equal(" the", tok.TokenText(264));        // mid-text reading: the dummy-prefix strip does not apply
        Assert.Equal("the cat", tok.Decode([264, 276, 266])); // whole text: the dummy prefix is removed
        Assert.Equal("<0x0A>", tok.TokenPiece(16));
        Assert.Equal("\n", tok.TokenText(16));
        Assert.Equal(4, tok.PieceToId("<start_of_turn>"));
        Assert.True(tok.IsSpecialToken(2));
        Assert.False(tok.IsSpecialToken(264));
        // As Hugging Face's Llama-2 decoder (… Fuse, Strip(" ", 1, 0)) does: only the start of the whole text loses its space.
        Assert.Equal("<bos> the cat", tok.Decode([2, 264, 276, 266]));
    }
}
