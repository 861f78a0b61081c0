using Microsoft.ML.Tokenizers;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>A SentencePiece <c>tokenizer.model</c> (BPE or Unigram, with or without byte fallback), encoded by
/// Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>. CONTROL, UNKNOWN and USER_DEFINED pieces (<c>&lt;bos&gt;</c>, <c>&lt;unk&gt;</c>,
/// <c>&lt;start_of_turn&gt;</c>, …) are special tokens: they map to their ids when they occur in the text, as in Hugging Face's
/// tokenizers for these models. Decoding: <c>▁</c> → space, <c>&lt;0xXX&gt;</c> runs → UTF-8, and the dummy-prefix space is removed
/// from the start of the text when the model adds one. Used only when a model directory has no tokenizer.json.</summary>
public sealed class SentencePieceModelTokenizer : VocabularyTokenizer
{
    private readonly SentencePieceTokenizer _spm;

    private SentencePieceModelTokenizer(string file, TokenVocabulary vocab, TokenDecoder decoder, SentencePieceTokenizer spm, int? bos, int? eos, bool addsBos)
        : base(file, vocab, decoder, bos, eos, addsBos) => _spm = spm;

    /// <summary>Loads <paramref name="modelPath"/>, with BOS/EOS settings from the files next to it (BOS is added by default
    /// unless tokenizer_config.json says <c>add_bos_token: false</c>, as the Llama/Gemma SentencePiece tokenizers do).</summary>
    public static SentencePieceModelTokenizer Load(string modelPath)
    {
        string full = Path.GetFullPath(modelPath);
        return Load(full, TokenizerConfigFiles.Read(Path.GetDirectoryName(full)!));
    }

    internal static SentencePieceModelTokenizer Load(string file, TokenizerConfigFiles config)
    {
        byte[] bytes = JsonFields.ReadFileBytes(file);
        var model = SentencePieceModelFile.Parse(bytes, file);
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<(int, string, bool)>();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            var (piece, type) = model.Pieces[id];
            if (type is SentencePieceModelFile.Control or SentencePieceModelFile.UserDefined or SentencePieceModelFile.Unknown)
            {
                added.Add((id, piece, type != SentencePieceModelFile.UserDefined));
                special.TryAdd(piece, id);
            }
        }
        var modelVocab = model.Pieces.Select((p, id) => new KeyValuePair<string, int>(p.Piece, id)).ToList();
        var vocab = TokenVocabulary.Build(file, "pieces", modelVocab, added);

        SentencePieceTokenizer spm;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            spm = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, specialTokens: special);
        }
        catch (Exception e) when (e is not OutOfMemoryException) // third-party code on user input: report, never crash
        {
            throw new InvalidModelFileException(file, $"Microsoft.ML.Tokenizers cannot use this SentencePiece model ({e.Message})", e);
        }

        // SentencePiece models carry their own BOS/EOS (trainer_spec bos_id/eos_id); the Llama/Gemma tokenizers add BOS.
        int[] prefix = spm.BeginningOfSentenceId >= 0 && vocab.Contains(spm.BeginningOfSentenceId) ? [spm.BeginningOfSentenceId] : [];
        int[] suffix = spm.EndOfSentenceId >= 0 && vocab.Contains(spm.EndOfSentenceId) ? [spm.EndOfSentenceId] : [];
        var (bos, eos, addsBos) = config.Resolve(vocab, file, prefix, suffix, fallbackToken: null);
        var decoder = TokenDecoder.SentencePiece(stripDummyPrefix: model.AddDummyPrefix);
        return new SentencePieceModelTokenizer(file, vocab, decoder, spm, bos, eos, addsBos);
    }

    protected override int[] EncodeText(string text) =>
        [.. _spm.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)];
}
