namespace CircuitInsights.Evaluation.Metrics;

/// <summary>
/// The activation FADE assigns to a text: the feature's activation at the position where its magnitude is largest,
/// a[argmaxₜ |a(t)|] (FADE <c>generate_activations</c>); for transcoder features (ReLU, JumpReLU, TopK: a ≥ 0) this is
/// maxₜ |a(t)|. 0 for an empty span.
/// </summary>
public static class TextActivation
{
    public static float Of(ReadOnlySpan<float> perPosition)
    {
        float best = 0, bestAbs = 0;
        foreach (float a in perPosition)
            if (Math.Abs(a) > bestAbs) { bestAbs = Math.Abs(a); best = a; }
        return best;
    }
}
