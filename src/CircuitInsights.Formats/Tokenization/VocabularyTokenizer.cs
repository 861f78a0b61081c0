namespace CircuitInsights.Formats.Tokenization;

/// <summary>Shared part of the tokenizers: id ↔ piece tables, BOS handling, and decoding through the tokenizer's decoder
/// pipeline. Subclasses supply the encoding of text (special-token strings in the text map to their ids; nothing is added).</summary>
public abstract class VocabularyTokenizer : ITokenizer
{
    private readonly TokenVocabulary _vocab;
    private readonly TokenDecoder _decoder;

    private protected VocabularyTokenizer(string source, TokenVocabulary vocab, TokenDecoder decoder, int? bos, int? eos, bool addsBos)
    {
        (Source, _vocab, _decoder, BosTokenId, EosTokenId, AddsBosByDefault) = (source, vocab, decoder, bos, eos, addsBos);
    }

    /// <summary>The file(s) the tokenizer was read from (used in error messages).</summary>
    public string Source { get; }

    public int VocabSize => _vocab.Count;

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public bool AddsBosByDefault { get; }

    /// <summary>Ids of <paramref name="text"/> (free of unpaired surrogates) with special-token strings mapped to their ids and
    /// nothing added.</summary>
    protected abstract int[] EncodeText(string text);

    public int[] Encode(string text, bool? addBos = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[] ids = EncodeText(ReplaceLoneSurrogates(text));
        if (!(addBos ?? AddsBosByDefault)) return ids;
        int bos = BosTokenId ?? throw new CircuitInsightsException($"{Source}: cannot add BOS: the tokenizer names no beginning-of-sequence token");
        var result = new int[ids.Length + 1];
        result[0] = bos;
        ids.CopyTo(result, 1);
        return result;
    }

    /// <summary>Unpaired UTF-16 surrogates cannot be UTF-8 encoded; they become U+FFFD (what .NET's UTF-8 encoder writes for them),
    /// so every encoding path sees the same text.</summary>
    private static string ReplaceLoneSurrogates(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));
        }
        return text;
    }

    /// <summary>Runs the pieces of <paramref name="ids"/> (special tokens included, as their text) through the decoder, as Hugging
    /// Face's <c>decode(ids, skip_special_tokens=False)</c> does. Throws <see cref="CircuitInsightsException"/> for unknown ids.</summary>
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var pieces = new string[ids.Count];
        for (int i = 0; i < pieces.Length; i++) pieces[i] = _vocab.Piece(ids[i]);
        return _decoder.Decode(pieces, singleToken: false);
    }

    /// <summary>The decoded text of one token as it reads mid-text (<c>Ġthe</c> / <c>▁the</c> → " the", <c>&lt;0x0A&gt;</c> → "\n");
    /// bytes that are not valid UTF-8 on their own give U+FFFD.</summary>
    public string TokenText(int id) => _decoder.Decode([_vocab.Piece(id)], singleToken: true);

    public string TokenPiece(int id) => _vocab.Piece(id);

    public int? PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        return _vocab.Id(piece);
    }

    public bool IsSpecialToken(int id) => _vocab.IsSpecial(id);
}
