using System.Text.Json;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>What this project reads itself from a Hugging Face <c>tokenizer.json</c> (the encoding is left to the Rust library):
/// the id ↔ piece tables (<c>model.vocab</c> as an object for BPE/WordPiece/WordLevel or a <c>[piece, score]</c> list for
/// Unigram, plus <c>added_tokens</c>), the <c>decoder</c>, and the special tokens that a <c>TemplateProcessing</c> post-processor
/// puts before and after a single sequence (Gemma-2: <c>&lt;bos&gt;</c> = 2; Llama-3: <c>&lt;|begin_of_text|&gt;</c> = 128000;
/// reference.md §1.2–1.3).</summary>
internal sealed class TokenizerJsonFile
{
    public required TokenVocabulary Vocabulary { get; init; }
    public required TokenDecoder Decoder { get; init; }
    /// <summary>"BPE", "Unigram", "WordPiece" or "WordLevel".</summary>
    public required string ModelType { get; init; }
    /// <summary>Ids the post-processor adds before the text ([] when it adds none).</summary>
    public required int[] TemplatePrefix { get; init; }
    /// <summary>Ids the post-processor adds after the text.</summary>
    public required int[] TemplateSuffix { get; init; }

    public static TokenizerJsonFile Parse(byte[] utf8, string file)
    {
        using var doc = JsonFields.ParseObject(utf8, file);
        var root = doc.RootElement;
        var model = JsonFields.RequiredObject(root, "model", file, "");
        var (modelType, vocab) = ReadModelVocab(model, file);
        var added = ReadAddedTokens(root, file);
        var vocabulary = TokenVocabulary.Build(file, "model.vocab", vocab, added);
        var decoder = TokenDecoder.Parse(root.TryGetProperty("decoder", out var d) ? d : null, file);
        var (prefix, suffix) = ReadTemplate(root, vocabulary, file);
        return new TokenizerJsonFile
        {
            Vocabulary = vocabulary, Decoder = decoder, ModelType = modelType, TemplatePrefix = prefix, TemplateSuffix = suffix,
        };
    }

    private static (string Type, List<KeyValuePair<string, int>> Vocab) ReadModelVocab(JsonElement model, string file)
    {
        string? type = JsonFields.OptionalString(model, "type", file, "model");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind == JsonValueKind.Null)
            throw new InvalidModelFileException(file, "model.vocab: expected an object or a list, found nothing (key missing or null)");
        var list = new List<KeyValuePair<string, int>>();
        if (vocab.ValueKind == JsonValueKind.Object)
        {
            type ??= model.TryGetProperty("merges", out _) ? "BPE" : model.TryGetProperty("max_input_chars_per_word", out _) ? "WordPiece" : "WordLevel";
            foreach (var p in vocab.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id))
                    throw JsonFields.Wrong(file, "model.vocab", p.Name, "an integer id", p.Value);
                list.Add(new(p.Name, id));
            }
        }
        else if (vocab.ValueKind == JsonValueKind.Array)
        {
            type ??= "Unigram";
            int id = 0;
            foreach (var entry in vocab.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() < 1 || entry[0].ValueKind != JsonValueKind.String)
                    throw new InvalidModelFileException(file, $"model.vocab[{id}]: expected a [piece, score] pair, found {JsonFields.Describe(entry)}");
                list.Add(new(entry[0].GetString()!, id++));
            }
        }
        else throw JsonFields.Wrong(file, "model", "vocab", "an object or a list", vocab);
        if (type is not ("BPE" or "Unigram" or "WordPiece" or "WordLevel"))
            throw new InvalidModelFileException(file, $"model.type: expected BPE, Unigram, WordPiece or WordLevel, found \"{type}\"");
        if (type == "BPE") JsonFields.RequiredArray(model, "merges", file, "model");
        return (type, list);
    }

    private static List<(int, string, bool)> ReadAddedTokens(JsonElement root, string file)
    {
        var result = new List<(int, string, bool)>();
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null) return result;
        if (added.ValueKind != JsonValueKind.Array) throw JsonFields.Wrong(file, "", "added_tokens", "an array", added);
        int i = 0;
        foreach (var t in added.EnumerateArray())
        {
            string key = $"added_tokens[{i++}]";
            if (t.ValueKind != JsonValueKind.Object) throw new InvalidModelFileException(file, $"{key}: expected an object, found {JsonFields.Describe(t)}");
            int id = JsonFields.OptionalInt(t, "id", file, key) ?? throw new InvalidModelFileException(file, $"{key}.id: expected an integer, found nothing");
            result.Add((id, JsonFields.RequiredString(t, "content", file, key), JsonFields.OptionalBool(t, "special", file, key) ?? false));
        }
        return result;
    }

    /// <summary>Finds the TemplateProcessing post-processor (alone or inside a Sequence) and returns the ids its <c>single</c>
    /// template puts before and after <c>$A</c>. Every special token it names must be defined in its <c>special_tokens</c> (the Rust
    /// library would otherwise abort the process when encoding) and map to ids of the vocabulary.</summary>
    private static (int[] Prefix, int[] Suffix) ReadTemplate(JsonElement root, TokenVocabulary vocab, string file)
    {
        var pp = JsonFields.OptionalObject(root, "post_processor", file, "");
        if (pp is null) return ([], []);
        string key = "post_processor";
        var node = pp.Value;
        string type = JsonFields.RequiredString(node, "type", file, key);
        if (type == "Sequence")
        {
            int i = 0;
            JsonElement? found = null;
            foreach (var child in JsonFields.RequiredArray(node, "processors", file, key).EnumerateArray())
            {
                string childKey = $"{key}.processors[{i++}]";
                if (JsonFields.RequiredString(child, "type", file, childKey) == "TemplateProcessing") (found, key) = (child, childKey);
            }
            if (found is null) return ([], []);
            node = found.Value;
        }
        else if (type != "TemplateProcessing") return ([], []);

        var specials = JsonFields.RequiredObject(node, "special_tokens", file, key);
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenSequence = false;
        int index = 0;
        foreach (var piece in JsonFields.RequiredArray(node, "single", file, key).EnumerateArray())
        {
            string pieceKey = $"{key}.single[{index++}]";
            if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
            if (piece.ValueKind != JsonValueKind.Object || !piece.TryGetProperty("SpecialToken", out var st) || st.ValueKind != JsonValueKind.Object)
                throw new InvalidModelFileException(file, $"{pieceKey}: expected {{\"SpecialToken\": ...}} or {{\"Sequence\": ...}}, found {JsonFields.Describe(piece)}");
            string name = JsonFields.RequiredString(st, "id", file, pieceKey + ".SpecialToken");
            if (!specials.TryGetProperty(name, out var def) || def.ValueKind != JsonValueKind.Object)
                throw new InvalidModelFileException(file, $"{pieceKey}: special token \"{name}\" is not defined in {key}.special_tokens");
            int j = 0;
            foreach (var idNode in JsonFields.RequiredArray(def, "ids", file, $"{key}.special_tokens.{name}").EnumerateArray())
            {
                if (idNode.ValueKind != JsonValueKind.Number || !idNode.TryGetInt32(out int id) || !vocab.Contains(id))
                    throw new InvalidModelFileException(file, $"{key}.special_tokens.{name}.ids[{j}]: expected an id in [0, {vocab.Count}) " +
                        $"with a vocabulary entry, found {JsonFields.Describe(idNode)}");
                (seenSequence ? suffix : prefix).Add(id);
                j++;
            }
        }
        return (prefix.ToArray(), suffix.ToArray());
    }

    /// <summary>The file with its top-level <c>post_processor</c> value replaced by <c>null</c> and every other byte unchanged, so
    /// that the Rust library encodes the text alone (it always applies the post-processor).</summary>
    public static byte[] WithoutPostProcessor(byte[] utf8, string file)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            reader.Read(); // StartObject (checked by Parse)
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isPostProcessor = reader.ValueTextEquals("post_processor"u8);
                reader.Read();
                long start = reader.TokenStartIndex;
                reader.Skip();
                long end = reader.BytesConsumed;
                if (!isPostProcessor) continue;
                var result = new byte[utf8.Length - (end - start) + 4];
                utf8.AsSpan(0, (int)start).CopyTo(result);
                "null"u8.CopyTo(result.AsSpan((int)start));
                utf8.AsSpan((int)end).CopyTo(result.AsSpan((int)start + 4));
                return result;
            }
        }
        catch (JsonException e) { throw new InvalidModelFileException(file, $"malformed JSON ({e.Message})", e); }
        return utf8;
    }
}
