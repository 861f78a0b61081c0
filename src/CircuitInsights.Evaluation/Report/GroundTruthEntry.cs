namespace CircuitInsights.Evaluation.Report;

/// <summary>
/// What a feature really does, when known (the demo model's planted features): a name, the true description, the tokens
/// that should describe it (empty when no token list does), and extra per-method ground-truth scores computed elsewhere
/// (e.g. the demo's CircuitLens contributor recovery), keyed by column name.
/// </summary>
public sealed record GroundTruthEntry(int Layer, int Feature, string Name, string Truth, IReadOnlyList<string> TruthTokens,
    IReadOnlyDictionary<string, double>? Extra = null);
