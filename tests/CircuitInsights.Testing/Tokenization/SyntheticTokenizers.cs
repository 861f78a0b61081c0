using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CircuitInsights.Testing.Tokenization;

/// <summary>Small tokenizer.json files in the layout of the real Gemma-2 and Llama-3 files (reference.md §1.2–1.3), with
/// vocabularies and merges small enough to derive expected ids by hand.</summary>
public static class SyntheticTokenizers
{
    // ---------------- Gemma-2 style: SentencePiece-like BPE, byte fallback, no pre-tokenizer ----------------
    // ids: 0 <pad>, 1 <eos>, 2 <bos>, 3 <unk>, 4 <mask>, 5 <start_of_turn>, 6 <end_of_turn>,
    //      7 + b for the byte piece <0xXX> of byte b (7..262), then the pieces below from 263.
    public const int GemmaByteBase = 7;
    public static readonly string[] GemmaPieces =
    [
        "▁", "t", "h", "e", "c", "a", "s", "\n", "o", "n",              // 263..272 single characters
        "▁t", "he", "▁the", "ca", "cat", "▁cat", "▁▁", "▁▁▁▁", "\n\n",   // 273..281 merge results
        "on", "▁on", "▁▁▁", "é",                                        // 282..285
    ];
    // Merge ranks 0..11 (first = highest priority).
    public static readonly string[] GemmaMerges =
        ["▁ t", "h e", "▁t he", "c a", "ca t", "▁ cat", "▁ ▁", "▁▁ ▁▁", "\n \n", "o n", "▁ on", "▁▁ ▁"];
    public static readonly string[] GemmaSpecials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>"];

    public static int GemmaId(string piece)
    {
        int i = Array.IndexOf(GemmaPieces, piece);
        return i >= 0 ? 263 + i : throw new ArgumentException($"no piece {piece}");
    }

    public static JsonObject Gemma()
    {
        var vocab = new JsonObject();
        for (int i = 0; i < GemmaSpecials.Length; i++) vocab[GemmaSpecials[i]] = i;
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = GemmaByteBase + b;
        for (int i = 0; i < GemmaPieces.Length; i++) vocab[GemmaPieces[i]] = 263 + i;
        var added = new JsonArray();
        for (int i = 0; i < GemmaSpecials.Length; i++) added.Add(AddedToken(i, GemmaSpecials[i], normalized: false));
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" },
            ["pre_tokenizer"] = null,
            ["post_processor"] = BosTemplate("<bos>", 2),
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = Strings(GemmaMerges),
            },
        };
    }

    // ---------------- Llama-3 style: byte-level BPE with the Llama-3 Split regex, ignore_merges ----------------
    // ids: 0..255 = the byte-level character of byte b has id b (so 'a' = 97, 'Ġ' (space) = 32, 'Ċ' (\n) = 10),
    //      then the pieces below from 256, then the special tokens.
    public static readonly string[] LlamaPieces =
    [
        "Ġt", "he", "Ġthe", "in", "ing", "Ġc", "Ġca", "Ġcat", "12", "123", // 256..265
        "ĊĊ", "ĠĠ", "Ã©", "'l", "'ll",                                      // 266..270
        "Ġzzz",                                                             // 271: reachable only as a whole word (ignore_merges)
    ];
    public static readonly string[] LlamaMerges =
        ["Ġ t", "h e", "Ġt he", "i n", "in g", "Ġ c", "Ġc a", "Ġca t", "1 2", "12 3", "Ċ Ċ", "Ġ Ġ", "Ã ©", "' l", "'l l"];
    public const int BeginOfText = 272, EndOfText = 273, Reserved0 = 274;
    public const string LlamaSplitRegex =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static int LlamaId(string piece)
    {
        int i = Array.IndexOf(LlamaPieces, piece);
        return i >= 0 ? 256 + i : throw new ArgumentException($"no piece {piece}");
    }

    public static JsonObject Llama3(bool templateAddsBos = true)
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteChar(b).ToString()] = b;
        for (int i = 0; i < LlamaPieces.Length; i++) vocab[LlamaPieces[i]] = 256 + i;
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true };
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedToken(BeginOfText, "<|begin_of_text|>", false),
                AddedToken(EndOfText, "<|end_of_text|>", false), AddedToken(Reserved0, "<|reserved_special_token_0|>", false)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = LlamaSplitRegex },
                        ["behavior"] = "Isolated", ["invert"] = false,
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["post_processor"] = templateAddsBos
                ? new JsonObject { ["type"] = "Sequence", ["processors"] = new JsonArray(byteLevel, BosTemplate("<|begin_of_text|>", BeginOfText)) }
                : byteLevel,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = true,
                ["vocab"] = vocab, ["merges"] = Strings(LlamaMerges),
            },
        };
    }

    /// <summary>GPT-2's bytes_to_unicode, written out independently of the code under test.</summary>
    public static char ByteChar(int b)
    {
        if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) return (char)b;
        int n = 0;
        for (int x = 0; x < b; x++)
            if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) n++;
        return (char)(256 + n);
    }

    public static JsonObject BosTemplate(string token, int id) => new()
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        ["pair"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 1 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
        ["special_tokens"] = new JsonObject
        {
            [token] = new JsonObject { ["id"] = token, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(token) },
        },
    };

    private static JsonObject AddedToken(int id, string content, bool normalized) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = normalized, ["special"] = true,
    };

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    /// <summary>Non-ASCII written raw, as the Rust library writes tokenizer.json.</summary>
    public static readonly JsonSerializerOptions RawJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="tokenizer"/> as tokenizer.json into <paramref name="directory"/>; returns its path.</summary>
    public static string WriteTo(string directory, JsonObject tokenizer)
    {
        string path = System.IO.Path.Combine(directory, "tokenizer.json");
        File.WriteAllText(path, tokenizer.ToJsonString(RawJson));
        return path;
    }

    /// <summary>Vocabulary size of <see cref="Gemma"/> (specials, 256 byte pieces, <see cref="GemmaPieces"/>).</summary>
    public static int GemmaVocabSize => 263 + GemmaPieces.Length;

    /// <summary>Vocabulary size of <see cref="Llama3"/> (256 byte symbols, <see cref="LlamaPieces"/>, 3 specials).</summary>
    public const int Llama3VocabSize = Reserved0 + 1;
}
