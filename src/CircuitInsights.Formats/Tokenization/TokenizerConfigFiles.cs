using System.Text.Json;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>The special-token facts kept next to the tokenizer in a Hugging Face model directory: <c>tokenizer_config.json</c>
/// (<c>add_bos_token</c>, <c>bos_token</c>, <c>eos_token</c>, <c>added_tokens_decoder</c>, other <c>*_token</c> strings),
/// <c>special_tokens_map.json</c>, <c>added_tokens.json</c> and, read only when still needed, <c>config.json</c>
/// (<c>bos_token_id</c>, <c>eos_token_id</c>). Token values may be strings or <c>{"content": ...}</c> objects.</summary>
internal sealed class TokenizerConfigFiles
{
    private static readonly string[] OtherTokenKeys = ["unk_token", "pad_token", "sep_token", "cls_token", "mask_token"];

    private string? _directory;
    private (string Token, string File)? _bos, _eos;
    private (bool Value, string File)? _addBos;
    private readonly List<(int Id, string Content, bool Special, string File)> _added = [];
    private readonly List<(string Token, string File)> _otherSpecial = [];

    public static TokenizerConfigFiles Empty => new();

    /// <summary>Reads the files that exist in <paramref name="directory"/> (none is required).</summary>
    public static TokenizerConfigFiles Read(string directory)
    {
        var result = new TokenizerConfigFiles { _directory = directory };
        result.ReadTokenFile(Path.Combine(directory, "special_tokens_map.json"), isConfig: false);
        result.ReadTokenFile(Path.Combine(directory, "tokenizer_config.json"), isConfig: true); // wins over special_tokens_map
        string addedFile = Path.Combine(directory, "added_tokens.json");
        if (File.Exists(addedFile))
        {
            using var doc = JsonFields.ParseObjectFile(addedFile);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id))
                    throw JsonFields.Wrong(addedFile, "", p.Name, "an integer id", p.Value);
                result._added.Add((id, p.Name, false, addedFile));
            }
        }
        return result;
    }

    private void ReadTokenFile(string file, bool isConfig)
    {
        if (!File.Exists(file)) return;
        using var doc = JsonFields.ParseObjectFile(file);
        var root = doc.RootElement;
        if (TokenString(root, "bos_token", file) is { } bos) _bos = (bos, file);
        if (TokenString(root, "eos_token", file) is { } eos) _eos = (eos, file);
        foreach (var key in OtherTokenKeys)
            if (TokenString(root, key, file) is { } t) _otherSpecial.Add((t, file));
        if (root.TryGetProperty("additional_special_tokens", out var extra) && extra.ValueKind == JsonValueKind.Array)
            foreach (var e in extra.EnumerateArray())
                if (TokenValue(e) is { } t) _otherSpecial.Add((t, file));
        if (!isConfig) return;
        if (JsonFields.OptionalBool(root, "add_bos_token", file, "") is { } add) _addBos = (add, file);
        if (JsonFields.OptionalObject(root, "added_tokens_decoder", file, "") is { } decoder)
        {
            foreach (var p in decoder.EnumerateObject())
            {
                string key = $"added_tokens_decoder.{p.Name}";
                if (!int.TryParse(p.Name, out int id) || p.Value.ValueKind != JsonValueKind.Object)
                    throw new InvalidModelFileException(file, $"{key}: expected an integer id mapped to an object, found {JsonFields.Describe(p.Value)}");
                _added.Add((id, JsonFields.RequiredString(p.Value, "content", file, key),
                    JsonFields.OptionalBool(p.Value, "special", file, key) ?? false, file));
            }
        }
    }

    private static string? TokenString(JsonElement root, string key, string file)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return TokenValue(v) ?? throw JsonFields.Wrong(file, "", key, "a string or an object with \"content\"", v);
    }

    private static string? TokenValue(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
        _ => null,
    };

    /// <summary>Added tokens declared in tokenizer_config.json / added_tokens.json (for vocab.json + merges.txt tokenizers).</summary>
    public IEnumerable<(int Id, string Content, bool Special)> AddedTokens => _added.Select(a => (a.Id, a.Content, a.Special));

    /// <summary>Every special-token string the files name (bos, eos, unk, pad, sep, cls, mask, additional).</summary>
    public IEnumerable<string> SpecialTokenStrings =>
        new[] { _bos?.Token, _eos?.Token }.OfType<string>().Concat(_otherSpecial.Select(o => o.Token)).Distinct();

    /// <summary>Chooses BOS, EOS and whether BOS is added by default.
    /// BOS: the single token a post-processor template puts before the text, else <c>bos_token</c> (tokenizer_config.json, then
    /// special_tokens_map.json), else config.json <c>bos_token_id</c>, else <paramref name="fallbackToken"/> when it is in the
    /// vocabulary (GPT-2's class default <c>&lt;|endoftext|&gt;</c>). EOS likewise (template suffix, <c>eos_token</c>,
    /// <c>eos_token_id</c> — the first when it is a list —, fallback). Adding BOS: <c>add_bos_token</c> when present, else whether
    /// the template adds a prefix.</summary>
    public (int? Bos, int? Eos, bool AddsBos) Resolve(TokenVocabulary vocab, string vocabFile, int[] templatePrefix, int[] templateSuffix,
        string? fallbackToken)
    {
        int? fallback = fallbackToken is null ? null : vocab.Id(fallbackToken);
        int? bos = templatePrefix.Length == 1 ? templatePrefix[0] : null;
        bos ??= Lookup(_bos, "bos_token", vocab, vocabFile) ?? ConfigId("bos_token_id", vocab) ?? fallback;
        int? eos = templateSuffix.Length == 1 ? templateSuffix[0] : null;
        eos ??= Lookup(_eos, "eos_token", vocab, vocabFile) ?? ConfigId("eos_token_id", vocab) ?? fallback;
        bool addsBos = _addBos?.Value ?? templatePrefix.Length > 0;
        if (addsBos && bos is null)
            throw new InvalidModelFileException(_addBos?.File ?? vocabFile,
                "the tokenizer adds a beginning-of-sequence token, but no bos_token / bos_token_id names one");
        return (bos, eos, addsBos);
    }

    private static int? Lookup((string Token, string File)? token, string key, TokenVocabulary vocab, string vocabFile)
    {
        if (token is not { } t) return null;
        return vocab.Id(t.Token) ?? throw new InvalidModelFileException(t.File,
            $"{key}: \"{t.Token}\" is not in the vocabulary of {Path.GetFileName(vocabFile)}");
    }

    private int? ConfigId(string key, TokenVocabulary vocab)
    {
        if (_directory is null) return null;
        string file = Path.Combine(_directory, "config.json");
        if (!File.Exists(file)) return null;
        using var doc = JsonFields.ParseObjectFile(file);
        if (!doc.RootElement.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var first = v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0 ? v[0] : v;
        if (first.ValueKind != JsonValueKind.Number || !first.TryGetInt32(out int id) || !vocab.Contains(id))
            throw new InvalidModelFileException(file, $"{key}: expected a token id in [0, {vocab.Count}) or a list of them, found {JsonFields.Describe(v)}");
        return id;
    }
}
