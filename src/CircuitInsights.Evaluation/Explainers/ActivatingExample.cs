namespace CircuitInsights.Evaluation.Explainers;

/// <summary>A top-activating context: its tokens as text, the position of the feature's maximum there, and that maximum.</summary>
public sealed record ActivatingExample(IReadOnlyList<string> Tokens, int Position, float Activation);
