using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors;

/// <summary>
/// Numerically stable softmax (attention patterns, reference.md §2), vectorised: p_i = exp(x_i − max x) / Σ_j exp(x_j − max x), the sum accumulated in fp64.
/// A row whose entries are all −∞ (fully masked) gives NaN, like the naive formula. Naive twin: <see cref="NaiveKernels.Softmax"/>.
/// </summary>
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
            var vmax = Vector256.Create(max);
            ref float start = ref MemoryMarshal.GetReference(active);
            var acc = Vector256<double>.Zero;
            int i = 0;
            for (; i + 8 <= length; i += 8)
            {
                var e = Vector256.Exp(Vector256.LoadUnsafe(ref start, (nuint)i) - vmax);
                e.StoreUnsafe(ref start, (nuint)i);
                var (lo, hi) = Vector256.Widen(e);
                acc += lo + hi;
            }
            double sum = Vector256.Sum(acc);
            if (i < length)
            {
                Span<float> tail = stackalloc float[8];
                tail.Fill(float.NegativeInfinity);
                active[i..].CopyTo(tail);
                var e = Vector256.Exp(Vector256.Create<float>(tail) - vmax);
                e.CopyTo(tail);
                for (int j = 0; j < length - i; j++) sum += tail[j];
                tail[..(length - i)].CopyTo(active[i..]);
            }
            System.Numerics.Tensors.TensorPrimitives.Multiply(active, (float)(1.0 / sum), active);
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
