namespace CircuitInsights.Formats.Tokenization;

/// <summary>Finds and loads the tokenizer of a Hugging Face model directory. Order: <c>tokenizer.json</c>
/// (<see cref="HuggingFaceTokenizer"/>: Gemma-2, Llama-3, GPT-2, any fast tokenizer) → <c>vocab.json</c> + <c>merges.txt</c>
/// (<see cref="ByteLevelBpeTokenizer"/>: GPT-2-style byte-level BPE; also used when tokenizer.json exists but the native Hugging Face
/// library cannot be loaded on this platform) → <c>tokenizer.model</c> (<see cref="SentencePieceModelTokenizer"/>). BOS/EOS and
/// whether BOS is added come from the tokenizer files, tokenizer_config.json, special_tokens_map.json and config.json
/// (reference.md §1.1–1.3).</summary>
public static class TokenizerLoader
{
    public static ITokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        string dir = Path.GetFullPath(modelDirectory);
        if (!Directory.Exists(dir)) throw new InvalidModelFileException(dir, "model directory not found");
        var config = TokenizerConfigFiles.Read(dir);

        string json = Path.Combine(dir, "tokenizer.json");
        string vocab = Path.Combine(dir, "vocab.json");
        string merges = Path.Combine(dir, "merges.txt");
        bool hasVocab = File.Exists(vocab), hasMerges = File.Exists(merges);
        if (File.Exists(json))
        {
            try { return HuggingFaceTokenizer.Load(json, config); }
            catch (NativeTokenizerUnavailableException) when (hasVocab && hasMerges) { } // fall back to the managed GPT-2-style BPE
        }
        if (hasVocab && hasMerges)
            return ByteLevelBpeTokenizer.Load(JsonFields.ReadFileBytes(vocab), vocab, ByteLevelBpeTokenizer.ReadMergesBytes(merges), merges, config);
        if (hasVocab != hasMerges)
            throw new InvalidModelFileException(hasVocab ? merges : vocab,
                $"file not found: a byte-level BPE tokenizer needs both vocab.json and merges.txt, but only {(hasVocab ? "vocab.json" : "merges.txt")} is present");
        string spm = Path.Combine(dir, "tokenizer.model");
        if (File.Exists(spm)) return SentencePieceModelTokenizer.Load(spm, config);
        throw new InvalidModelFileException(dir,
            "no tokenizer found: expected tokenizer.json, or vocab.json + merges.txt, or tokenizer.model in the model directory");
    }
}
