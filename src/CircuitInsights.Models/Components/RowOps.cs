using System.Numerics.Tensors;

namespace CircuitInsights.Models.Components;

/// <summary>Small row-wise helpers on [rows, cols] row-major buffers.</summary>
internal static class RowOps
{
    /// <summary>x[r, :] += bias for every row.</summary>
    public static void AddBias(Span<float> x, int cols, ReadOnlySpan<float> bias)
    {
        for (int r = 0; r < x.Length / cols; r++)
        {
            var row = x.Slice(r * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>x[r, :] ⊙= (offset + gain) for every row.</summary>
    public static void MultiplyGain(Span<float> x, int cols, ReadOnlySpan<float> gain, float offset)
    {
        Span<float> g = stackalloc float[0];
        float[]? tmp = null;
        if (offset != 0)
        {
            tmp = new float[cols];
            TensorPrimitives.Add(gain, offset, tmp);
        }
        ReadOnlySpan<float> factors = tmp ?? gain;
        for (int r = 0; r < x.Length / cols; r++)
        {
            var row = x.Slice(r * cols, cols);
            TensorPrimitives.Multiply(row, factors, row);
        }
    }
}
