using CircuitInsights.Formats.Tokenization;
using static CircuitInsights.Testing.Tokenization.SyntheticTokenizers;

namespace CircuitInsights.Formats.Tests.Tokenization;

/// <summary>Our re-implementation of the tokenizer.json decoders against the Rust library's own decoding, on seeded random id
/// sequences without special tokens (the library's decode always drops them): Gemma-style (Replace, ByteFallback, Fuse),
/// Llama-3-style and GPT-2 (ByteLevel), including byte pieces that do not form valid UTF-8.</summary>
public sealed class TokenDecoderCrossCheckTests
{
    private static void CheckRandomSequences(HuggingFaceTokenizer tok, int seed)
    {
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, tok.VocabSize).Where(i => !tok.IsSpecialToken(i)).ToArray();
        for (int n = 0; n < 400; n++)
        {
            var seq = new int[rng.Next(0, 12)];
            for (int i = 0; i < seq.Length; i++) seq[i] = ids[rng.Next(ids.Length)];
            Assert.Equal(tok.DecodeSkippingSpecialTokens(seq), tok.Decode(seq));
        }
        foreach (int id in ids) Assert.Equal(tok.DecodeSkippingSpecialTokens([id]), tok.TokenText(id));
    }

    [Fact]
    public void Decode_GemmaStyle_MatchesLibrary()
    {
        using var dir = new TempDirectory();
        using var tok = HuggingFaceTokenizer.Load(WriteTo(dir.Path, Gemma()));
        CheckRandomSequences(tok, 1);
    }

    [Fact]
    public void Decode_Llama3Style_MatchesLibrary()
    {
        using var dir = new TempDirectory();
        using var tok = HuggingFaceTokenizer.Load(WriteTo(dir.Path, Llama3()));
        CheckRandomSequences(tok, 2);
    }

    [Fact]
    public void Decode_Gpt2_MatchesLibrary()
    {
        using var dir = new TempDirectory();
        Gpt2TokenizerFiles.WriteTo(dir.Path);
        using var tok = HuggingFaceTokenizer.Load(dir.File("tokenizer.json"));
        var rng = new Random(3);
        for (int n = 0; n < 2000; n++)
        {
            var seq = new int[rng.Next(1, 8)];
            for (int i = 0; i < seq.Length; i++) seq[i] = rng.Next(50256);
            Assert.Equal(tok.DecodeSkippingSpecialTokens(seq), tok.Decode(seq));
        }
    }

    [Fact]
    public void DecodeSkippingSpecialTokens_DropsSpecials_DecodeKeepsThem()
    {
        using var dir = new TempDirectory();
        using var tok = HuggingFaceTokenizer.Load(WriteTo(dir.Path, Gemma()));
        int[] ids = tok.Encode(" the");
        Assert.Equal(" the", tok.DecodeSkippingSpecialTokens(ids));
        Assert.Equal("<bos> the", tok.Decode(ids));
    }
}
