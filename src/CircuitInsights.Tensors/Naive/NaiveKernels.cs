namespace CircuitInsights.Tensors;

/// <summary>Straightforward double-precision versions of the element-wise kernels: the test oracles.</summary>
public static class NaiveKernels
{
    public static void LayerNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y, Span<float> scales)
    {
        for (int r = 0; r < x.Length / dim; r++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < dim; i++) mean += x[r * dim + i];
            mean /= dim;
            for (int i = 0; i < dim; i++) { double d = x[r * dim + i] - mean; var += d * d; }
            var /= dim;
            double s = Math.Sqrt(var + eps);
            for (int i = 0; i < dim; i++)
            {
                double v = (x[r * dim + i] - mean) / s;
                if (!gamma.IsEmpty) v *= gamma[i];
                if (!beta.IsEmpty) v += beta[i];
                y[r * dim + i] = (float)v;
            }
            if (!scales.IsEmpty) scales[r] = (float)s;
        }
    }

    public static void RmsNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gain, float gainOffset, float eps, Span<float> y, Span<float> scales)
    {
        for (int r = 0; r < x.Length / dim; r++)
        {
            double ms = 0;
            for (int i = 0; i < dim; i++) ms += (double)x[r * dim + i] * x[r * dim + i];
            double s = Math.Sqrt(ms / dim + eps);
            for (int i = 0; i < dim; i++)
            {
                double v = x[r * dim + i] / s;
                if (!gain.IsEmpty) v *= gainOffset + gain[i];
                y[r * dim + i] = (float)v;
            }
            if (!scales.IsEmpty) scales[r] = (float)s;
        }
    }

    public static void GeluTanh(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            x[i] = (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
    }

    public static void Silu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] / (1 + Math.Exp(-(double)x[i])));
    }

    public static void Softmax(Span<float> row, int length)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < length; i++) max = Math.Max(max, row[i]);
        double sum = 0;
        for (int i = 0; i < length; i++) sum += Math.Exp(row[i] - max);
        for (int i = 0; i < length; i++) row[i] = (float)(Math.Exp(row[i] - max) / sum);
        for (int i = length; i < row.Length; i++) row[i] = 0;
    }

    /// <summary>Top-k by full sort (descending, ties by lower index).</summary>
    public static (int[] Indices, float[] Values) TopK(ReadOnlySpan<float> values, int k)
    {
        var v = values.ToArray();
        var idx = Enumerable.Range(0, v.Length).Where(i => !float.IsNaN(v[i])).OrderByDescending(i => v[i]).ThenBy(i => i).Take(k).ToArray();
        return (idx, idx.Select(i => v[i]).ToArray());
    }
}
