namespace CircuitInsights.Tensors;

/// <summary>Numerically stable softmax. Naive twin: <see cref="NaiveKernels.Softmax"/>.</summary>
public static class Softmax
{
    /// <summary>Softmax over the first <paramref name="length"/> entries of <paramref name="row"/>, in place; entries past it are set to 0.</summary>
    public static void InPlace(Span<float> row, int length)
    {
        if ((uint)length > (uint)row.Length) throw new ArgumentOutOfRangeException(nameof(length));
        var active = row[..length];
        if (length > 0)
        {
            float max = System.Numerics.Tensors.TensorPrimitives.Max(active);
            float sum = 0;
            for (int i = 0; i < length; i++) { float e = MathF.Exp(active[i] - max); active[i] = e; sum += e; }
            System.Numerics.Tensors.TensorPrimitives.Multiply(active, 1f / sum, active);
        }
        row[length..].Clear();
    }

    /// <summary>Softmax of every row of a [rows, cols] matrix, in place.</summary>
    public static void Rows(Span<float> x, int cols)
    {
        int rows = Norms.CheckRows(x.Length, cols, x.Length);
        for (int r = 0; r < rows; r++) InPlace(x.Slice(r * cols, cols), cols);
    }
}
