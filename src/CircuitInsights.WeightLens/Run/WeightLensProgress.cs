namespace CircuitInsights.WeightLens.Run;

/// <summary>Progress of a run: <paramref name="Done"/> of <paramref name="Total"/> units of <paramref name="Phase"/>
/// (projections: floating-point operations; validation: sequences; descriptions: features).</summary>
public sealed record WeightLensProgress(string Phase, double Done, double Total, string? Detail = null);
