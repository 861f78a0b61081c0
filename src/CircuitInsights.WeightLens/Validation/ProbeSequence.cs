namespace CircuitInsights.WeightLens.Validation;

/// <summary>One activation to read: feature <paramref name="Feature"/> of layer <paramref name="Layer"/> at token
/// position <paramref name="Position"/> of the sequence.</summary>
public readonly record struct ProbeRead(int Layer, int Position, int Feature);

/// <summary>A token sequence fed to the model and the activations to read from it.</summary>
public sealed record ProbeSequence(int[] Tokens, ProbeRead[] Reads);
