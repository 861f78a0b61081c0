namespace CircuitInsights.CircuitLens.Corpus;

/// <summary>A fixed-length window of tokens from one document: the unit of the activation cache.</summary>
/// <param name="Index">Position of the window in the corpus order (0-based): the context id used everywhere.</param>
/// <param name="DocumentId">Source document.</param>
/// <param name="Tokens">Token ids (BOS first when prepended).</param>
public sealed record TokenWindow(long Index, string DocumentId, int[] Tokens);

/// <summary>Options for cutting a corpus into windows.</summary>
public sealed record WindowOptions
{
    /// <summary>Window length in tokens, including the BOS token.</summary>
    public int ContextLength { get; init; } = 128;
    /// <summary>Prepend the tokenizer's BOS to every window (default true, as transcoders are trained).</summary>
    public bool PrependBos { get; init; } = true;
    /// <summary>Stop after this many tokens (null = whole corpus).</summary>
    public long? MaxTokens { get; init; }
    /// <summary>Windows shorter than this (the tail of a document) are dropped.</summary>
    public int MinLength { get; init; } = 8;
}
