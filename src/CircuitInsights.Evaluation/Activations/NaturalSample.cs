namespace CircuitInsights.Evaluation.Activations;

/// <summary>A natural sample: a piece of one window of the cached corpus (the whole window by default), its tokens (BOS
/// first when the cache prepends it) and its text.</summary>
/// <param name="Window">Corpus window index (the cache's context id).</param>
/// <param name="Offset">Position in the window of the piece's first token (after BOS).</param>
/// <param name="Uniform">True for the uniformly chosen windows, false for a feature's top windows.</param>
public sealed record NaturalSample(long Window, int Offset, int[] Tokens, string Text, bool Uniform);
