using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>GPT-2 byte-level BPE from <c>vocab.json</c> (piece → id, pieces written in <see cref="ByteLevelAlphabet"/>) and
/// <c>merges.txt</c> (optional <c>#version</c> header, then one "left right" merge per line, highest priority first), as OpenAI's
/// encoder.py and Hugging Face's GPT2Tokenizer do it (reference.md §1.1): split the text with the GPT-2 regex
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>, map each part's UTF-8 bytes to the alphabet,
/// apply the merges. Special-token strings (<c>&lt;|endoftext|&gt;</c> and those named by tokenizer_config.json /
/// special_tokens_map.json / added_tokens.json) are cut out first and map to their ids. The BPE itself is Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/> (byte-level mode), a managed implementation, so this class needs no native library.</summary>
public sealed partial class ByteLevelBpeTokenizer : VocabularyTokenizer
{
    private readonly BpeTokenizer _bpe;

    private ByteLevelBpeTokenizer(string source, TokenVocabulary vocab, BpeTokenizer bpe, int? bos, int? eos, bool addsBos)
        : base(source, vocab, TokenDecoder.ByteLevel, bos, eos, addsBos) => _bpe = bpe;

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Split();

    /// <summary>Loads vocab.json and merges.txt from files, with special-token settings from the files next to them.</summary>
    public static ByteLevelBpeTokenizer Load(string vocabJsonPath, string mergesTxtPath)
    {
        string vocab = Path.GetFullPath(vocabJsonPath);
        return Load(JsonFields.ReadFileBytes(vocab), vocab, ReadMergesBytes(Path.GetFullPath(mergesTxtPath)), Path.GetFullPath(mergesTxtPath),
            TokenizerConfigFiles.Read(Path.GetDirectoryName(vocab)!));
    }

    internal static byte[] ReadMergesBytes(string file) => JsonFields.ReadFileBytes(file);

    internal static ByteLevelBpeTokenizer Load(byte[] vocabJson, string vocabFile, byte[] mergesTxt, string mergesFile, TokenizerConfigFiles config)
    {
        var modelVocab = ReadVocab(vocabJson, vocabFile);
        var merges = ReadMerges(mergesTxt, mergesFile, modelVocab);

        // Special tokens: GPT-2's class default <|endoftext|>, plus whatever the config files name that the vocabulary or the
        // added tokens define.
        var added = config.AddedTokens.ToList();
        var specialStrings = config.SpecialTokenStrings.Append("<|endoftext|>").ToHashSet(StringComparer.Ordinal);
        var modelIds = new Dictionary<string, int>(modelVocab.Count, StringComparer.Ordinal);
        foreach (var (piece, id) in modelVocab) modelIds[piece] = id; // a duplicated key: the last one wins, as in Python's json
        foreach (var s in specialStrings)
            if (modelIds.TryGetValue(s, out int id) && !added.Any(a => a.Content == s)) added.Add((id, s, true));
        added = added.ConvertAll(a => (a.Id, a.Content, a.Special || specialStrings.Contains(a.Content)));
        var vocabulary = TokenVocabulary.Build(vocabFile, "vocab.json", modelVocab, added);
        var (bos, eos, addsBos) = config.Resolve(vocabulary, vocabFile, [], [], "<|endoftext|>");

        var matched = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in added) matched[a.Content] = a.Id;
        var bpeVocab = new Dictionary<string, int>(modelIds, StringComparer.Ordinal);
        foreach (var (content, id) in matched) bpeVocab[content] = id;
        var options = new BpeOptions(bpeVocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = matched,
            PreTokenizer = new RegexPreTokenizer(Gpt2Split(), matched),
        };
        BpeTokenizer bpe;
        try { bpe = BpeTokenizer.Create(options); }
        catch (Exception e) when (e is not OutOfMemoryException) // third-party code on user input: report, never crash
        {
            throw new InvalidModelFileException(mergesFile, $"vocab.json and merges.txt do not form a BPE model ({e.Message})", e);
        }
        return new ByteLevelBpeTokenizer($"{vocabFile} + {Path.GetFileName(mergesFile)}", vocabulary, bpe, bos, eos, addsBos);
    }

    protected override int[] EncodeText(string text) => [.. _bpe.EncodeToIds(text)];

    private static List<KeyValuePair<string, int>> ReadVocab(byte[] utf8, string file)
    {
        using var doc = JsonFields.ParseObject(utf8, file);
        var list = new List<KeyValuePair<string, int>>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id))
                throw JsonFields.Wrong(file, "", p.Name, "an integer id", p.Value);
            list.Add(new(p.Name, id));
        }
        if (list.Count == 0) throw new InvalidModelFileException(file, "expected a non-empty object mapping pieces to ids, found {}");
        return list;
    }

    /// <summary>Reads "left right" lines; blank lines and a first line starting with <c>#version</c> are skipped. Both halves and
    /// their concatenation must be in the vocabulary.</summary>
    private static List<string> ReadMerges(byte[] utf8, string file, List<KeyValuePair<string, int>> vocab)
    {
        var known = vocab.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var merges = new List<string>();
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8); }
        catch (DecoderFallbackException) { throw new InvalidModelFileException(file, "expected UTF-8 text"); }
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || (lineNo == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            int space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new InvalidModelFileException(file, $"line {lineNo}: expected two pieces separated by one space, found \"{Short(line)}\"");
            string left = line[..space], right = line[(space + 1)..];
            foreach (var piece in new[] { left, right, left + right })
                if (!known.Contains(piece))
                    throw new InvalidModelFileException(file, $"line {lineNo}: merge \"{Short(line)}\" uses \"{Short(piece)}\", which vocab.json lacks");
            merges.Add(line);
        }
        return merges;
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
