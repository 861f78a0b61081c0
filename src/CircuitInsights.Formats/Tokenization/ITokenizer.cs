namespace CircuitInsights.Formats.Tokenization;

/// <summary>Text ↔ token ids for one model, exactly as the model's Hugging Face tokenizer does it.</summary>
public interface ITokenizer
{
    /// <summary>Number of ids the tokenizer can produce (including special tokens).</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id (GPT-2: 50256 <c>&lt;|endoftext|&gt;</c>, Gemma: 2, Llama-3: 128000), or null.</summary>
    int? BosTokenId { get; }

    int? EosTokenId { get; }

    /// <summary>Whether the tokenizer itself prepends BOS (Gemma, Llama-3: yes; GPT-2: no).</summary>
    bool AddsBosByDefault { get; }

    /// <summary>Encodes text. <paramref name="addBos"/> null follows <see cref="AddsBosByDefault"/>; true/false overrides it.
    /// Special-token strings in the text (e.g. <c>&lt;|endoftext|&gt;</c>) map to their ids.</summary>
    int[] Encode(string text, bool? addBos = null);

    /// <summary>Decodes ids to text (special tokens included as their text).</summary>
    string Decode(IReadOnlyList<int> ids);

    /// <summary>The text one token stands for on its own (e.g. id 262 → " the"); bytes that are not valid UTF-8 alone
    /// appear as U+FFFD. Throws for ids outside the vocabulary.</summary>
    string TokenText(int id);

    /// <summary>The raw vocabulary entry (e.g. "Ġthe", "▁the", "&lt;0x0A&gt;").</summary>
    string TokenPiece(int id);

    /// <summary>Id of a raw vocabulary entry, or null.</summary>
    int? PieceToId(string piece);

    /// <summary>Whether <paramref name="id"/> is a special token (BOS/EOS/pad, chat markers: Hugging Face added tokens with
    /// <c>special: true</c>); false for ids outside the vocabulary.</summary>
    bool IsSpecialToken(int id);
}
