namespace CircuitInsights.Evaluation.Activations;

/// <summary>A natural sample: one window of the cached corpus, its tokens (BOS first when the cache prepended it) and its text.</summary>
/// <param name="Window">Corpus window index (the cache's context id).</param>
/// <param name="Uniform">True for the uniformly chosen windows, false for a feature's top windows.</param>
public sealed record NaturalSample(long Window, int[] Tokens, string Text, bool Uniform);
