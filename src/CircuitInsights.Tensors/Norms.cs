namespace CircuitInsights.Tensors;

/// <summary>Row-wise normalisations over [rows, dim] row-major data. Naive twins: <see cref="NaiveKernels"/>.</summary>
public static class Norms
{
    /// <summary>
    /// LayerNorm per row: <c>y = (x − mean(x)) / s ⊙ gamma + beta</c> with <c>s = sqrt(var(x) + eps)</c> (biased variance),
    /// as GPT-2 / torch.nn.LayerNorm. Empty <paramref name="gamma"/>/<paramref name="beta"/> mean no affine (TransformerLens
    /// LayerNormPre). <paramref name="scales"/> receives s per row (TransformerLens <c>hook_scale</c>); it may be empty.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y, Span<float> scales)
    {
        int rows = CheckRows(x.Length, dim, y.Length);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var yr = y.Slice(r * dim, dim);
            float mean = System.Numerics.Tensors.TensorPrimitives.Sum(xr) / dim;
            float var = 0;
            for (int i = 0; i < dim; i++) { float d = xr[i] - mean; var += d * d; }
            var /= dim;
            float s = MathF.Sqrt(var + eps);
            float inv = 1f / s;
            for (int i = 0; i < dim; i++) yr[i] = (xr[i] - mean) * inv;
            if (!gamma.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Multiply(yr, gamma, yr);
            if (!beta.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(yr, beta, yr);
            if (!scales.IsEmpty) scales[r] = s;
        }
    }

    /// <summary>
    /// RMSNorm per row: <c>y = x / s ⊙ (gainOffset + gain)</c> with <c>s = sqrt(mean(x²) + eps)</c>. Gemma uses
    /// gainOffset 1 (weights stored as w, applied as 1+w), Llama 0. Empty <paramref name="gain"/> means no gain
    /// (TransformerLens <c>hook_normalized</c> of RMSNorm). <paramref name="scales"/> receives s per row; it may be empty.
    /// </summary>
    public static void RmsNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gain, float gainOffset, float eps, Span<float> y, Span<float> scales)
    {
        int rows = CheckRows(x.Length, dim, y.Length);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var yr = y.Slice(r * dim, dim);
            float ms = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(xr) / dim;
            float s = MathF.Sqrt(ms + eps);
            float inv = 1f / s;
            if (gain.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Multiply(xr, inv, yr);
            else for (int i = 0; i < dim; i++) yr[i] = xr[i] * inv * (gainOffset + gain[i]);
            if (!scales.IsEmpty) scales[r] = s;
        }
    }

    internal static int CheckRows(int xLength, int dim, int yLength)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim));
        if (xLength % dim != 0) throw new ArgumentException($"length {xLength} is not a multiple of dim {dim}");
        if (yLength < xLength) throw new ArgumentException("destination too short");
        return xLength / dim;
    }
}
