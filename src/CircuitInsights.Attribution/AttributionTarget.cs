namespace CircuitInsights.Attribution;

/// <summary>What is being attributed: a quantity that is linear in the residual stream under the frozen model.</summary>
public abstract record AttributionTarget
{
    /// <summary>Token position the target reads at.</summary>
    public abstract int Position { get; }
}

/// <summary>The pre-activation of transcoder feature <paramref name="Feature"/> of layer <paramref name="Layer"/> at
/// <paramref name="Pos"/> (circuit-tracer attributes pre-activations; for an active ReLU/JumpReLU feature it equals the activation).</summary>
public sealed record FeatureTarget(int Layer, int Pos, int Feature) : AttributionTarget
{
    public override int Position => Pos;
}

/// <summary>The logit of <paramref name="Token"/> at <paramref name="Pos"/> minus the mean logit over the vocabulary
/// (circuit-tracer's demeaned logit target), before any final soft-cap.</summary>
public sealed record LogitTarget(int Pos, int Token, float Probability = 0f) : AttributionTarget
{
    public override int Position => Pos;
}

/// <summary>An arbitrary direction <paramref name="Direction"/> [D] dotted with the residual stream at resid_mid of
/// <paramref name="Layer"/> (or at the final residual when Layer equals the number of layers), position <paramref name="Pos"/>.</summary>
public sealed record ResidualTarget(int Layer, int Pos, float[] Direction, string Label = "custom") : AttributionTarget
{
    public override int Position => Pos;
}
