namespace CircuitInsights.Storage.Import;

/// <summary>
/// Activation statistics of one feature over the cached corpus (from the cache sketches, reference: CircuitLens
/// <c>FeatureSketches</c>): <see cref="Mean"/> = Σa / positions (zeros included), <see cref="MeanActive"/> = Σa / #active,
/// <see cref="StdActive"/> = √(Σa²/#active − mean_active²); window maxima give <see cref="MaxActivation"/> and
/// <see cref="MinWindowMax"/>.
/// </summary>
public sealed record FeatureStats(
    long PositionCount, long PositionsTotal, long WindowCount, long WindowsTotal,
    double Mean, double MeanActive, double StdActive, double? MaxActivation, double? MinWindowMax);
