namespace CircuitInsights.Formats.Tokenization;

/// <summary>A Hugging Face <c>tokenizer.json</c> tokenizer (Gemma-2: SentencePiece-style BPE with byte fallback; Llama-3 and GPT-2:
/// byte-level BPE; reference.md §1.1–1.3). Text is encoded by Hugging Face's own Rust library (see <see cref="NativeHfTokenizer"/>)
/// with the file's normalizer, pre-tokenizer, model and added tokens, but without its post-processor; BOS is then added per
/// <see cref="ITokenizer.AddsBosByDefault"/> or the caller's choice, exactly once. Pieces, token texts and decoding are read from
/// the file and computed here (<see cref="TokenDecoder"/>), because the wrapper exposes neither the vocabulary nor decoding with
/// special tokens. Of a TemplateProcessing post-processor only a one-token prefix (BOS) is reproduced: tokens it would put after the
/// text (an EOS some tokenizers append) are not added.</summary>
public sealed class HuggingFaceTokenizer : VocabularyTokenizer, IDisposable
{
    private readonly NativeHfTokenizer _native;

    private HuggingFaceTokenizer(string file, TokenizerJsonFile parsed, NativeHfTokenizer native, int? bos, int? eos, bool addsBos)
        : base(file, parsed.Vocabulary, parsed.Decoder, bos, eos, addsBos) => (_native, ModelType) = (native, parsed.ModelType);

    /// <summary>"BPE", "Unigram", "WordPiece" or "WordLevel".</summary>
    public string ModelType { get; }

    /// <summary>Loads <paramref name="tokenizerJsonPath"/>, with BOS/EOS settings from the tokenizer_config.json,
    /// special_tokens_map.json and config.json next to it.</summary>
    public static HuggingFaceTokenizer Load(string tokenizerJsonPath)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        string full = Path.GetFullPath(tokenizerJsonPath);
        return Load(full, TokenizerConfigFiles.Read(Path.GetDirectoryName(full)!));
    }

    internal static HuggingFaceTokenizer Load(string file, TokenizerConfigFiles config)
    {
        byte[] bytes = JsonFields.ReadFileBytes(file);
        var parsed = TokenizerJsonFile.Parse(bytes, file);
        var (bos, eos, addsBos) = config.Resolve(parsed.Vocabulary, file, parsed.TemplatePrefix, parsed.TemplateSuffix, "<|endoftext|>");
        var native = NativeHfTokenizer.Load(TokenizerJsonFile.WithoutPostProcessor(bytes, file), file);
        return new HuggingFaceTokenizer(file, parsed, native, bos, eos, addsBos);
    }

    protected override int[] EncodeText(string text) => _native.Encode(text);

    /// <summary>Decoding done by the Rust library itself with special tokens left out (Hugging Face's
    /// <c>decode(ids, skip_special_tokens=True)</c>); <see cref="VocabularyTokenizer.Decode"/> keeps them. Throws
    /// <see cref="CircuitInsightsException"/> for ids outside the vocabulary.</summary>
    public string DecodeSkippingSpecialTokens(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (int id in ids) TokenPiece(id); // validates
        return _native.DecodeSkippingSpecialTokens(ids);
    }

    public void Dispose() => _native.Dispose();
}
