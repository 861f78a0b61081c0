namespace CircuitInsights.Attribution;

/// <summary>An active transcoder feature at a position of the prompt.</summary>
/// <param name="Layer">Layer of the transcoder (its encoder layer).</param>
/// <param name="Position">Token position.</param>
/// <param name="Feature">Feature index.</param>
/// <param name="Activation">Activation value a.</param>
public readonly record struct ActiveFeature(int Layer, int Position, int Feature, float Activation);
