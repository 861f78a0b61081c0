using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors;

/// <summary>
/// Row-wise normalisations over [rows, dim] row-major data (TransformerLens semantics, reference.md §2 "TL norm semantics"),
/// vectorised; row statistics are accumulated in fp64, the output is computed in fp32. Naive twins: <see cref="NaiveKernels"/>.
/// </summary>
public static class Norms
{
    /// <summary>
    /// LayerNorm per row: <c>y = (x − mean(x)) / s ⊙ gamma + beta</c> with <c>s = sqrt(var(x) + eps)</c> (biased variance),
    /// as GPT-2 / torch.nn.LayerNorm. Empty <paramref name="gamma"/>/<paramref name="beta"/> mean no affine (TransformerLens
    /// LayerNormPre). <paramref name="scales"/> receives s per row (TransformerLens <c>hook_scale</c>); it may be empty.
    /// <paramref name="y"/> may be <paramref name="x"/> (in place).
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y, Span<float> scales)
    {
        int rows = CheckRows(x.Length, dim, y.Length);
        CheckParams(dim, gamma.Length, beta.Length, scales.Length, rows);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var yr = y.Slice(r * dim, dim);
            double mean = Sum(xr) / dim;
            double variance = SumOfSquaredDeviations(xr, mean) / dim;
            double s = Math.Sqrt(variance + eps);
            float m = (float)mean, inv = (float)(1.0 / s);
            // y = (x − m)·inv, then ⊙ gamma + beta
            ShiftScale(xr, m, inv, yr);
            if (!gamma.IsEmpty && !beta.IsEmpty) System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(yr, gamma, beta, yr);
            else if (!gamma.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Multiply(yr, gamma, yr);
            else if (!beta.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(yr, beta, yr);
            if (!scales.IsEmpty) scales[r] = (float)s;
        }
    }

    /// <summary>
    /// RMSNorm per row: <c>y = x / s ⊙ (gainOffset + gain)</c> with <c>s = sqrt(mean(x²) + eps)</c>. Gemma uses
    /// gainOffset 1 (weights stored as w, applied as 1+w), Llama 0. Empty <paramref name="gain"/> means no gain
    /// (TransformerLens <c>hook_normalized</c> of RMSNorm). <paramref name="scales"/> receives s per row; it may be empty.
    /// <paramref name="y"/> may be <paramref name="x"/> (in place).
    /// </summary>
    public static void RmsNorm(ReadOnlySpan<float> x, int dim, ReadOnlySpan<float> gain, float gainOffset, float eps, Span<float> y, Span<float> scales)
    {
        int rows = CheckRows(x.Length, dim, y.Length);
        CheckParams(dim, gain.Length, 0, scales.Length, rows);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * dim, dim);
            var yr = y.Slice(r * dim, dim);
            double s = Math.Sqrt(SumOfSquaredDeviations(xr, 0) / dim + eps);
            float inv = (float)(1.0 / s);
            ShiftScale(xr, 0, inv, yr);
            if (!gain.IsEmpty) ScaleByGain(yr, gain, gainOffset);
            if (!scales.IsEmpty) scales[r] = (float)s;
        }
    }

    /// <summary>y_i = (x_i − shift)·scale.</summary>
    static void ShiftScale(ReadOnlySpan<float> x, float shift, float scale, Span<float> y)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        Vector256<float> vs = Vector256.Create(shift), vk = Vector256.Create(scale);
        int i = 0;
        for (; i + 8 <= x.Length; i += 8) ((Vector256.LoadUnsafe(ref xs, (nuint)i) - vs) * vk).StoreUnsafe(ref ys, (nuint)i);
        for (; i < x.Length; i++) y[i] = (x[i] - shift) * scale;
    }

    /// <summary>y_i = y_i·(offset + g_i).</summary>
    static void ScaleByGain(Span<float> y, ReadOnlySpan<float> g, float offset)
    {
        ref float gs = ref MemoryMarshal.GetReference(g);
        ref float ys = ref MemoryMarshal.GetReference(y);
        var vo = Vector256.Create(offset);
        int i = 0;
        for (; i + 8 <= y.Length; i += 8) (Vector256.LoadUnsafe(ref ys, (nuint)i) * (vo + Vector256.LoadUnsafe(ref gs, (nuint)i))).StoreUnsafe(ref ys, (nuint)i);
        for (; i < y.Length; i++) y[i] *= offset + g[i];
    }

    /// <summary>Σ x_i in fp64.</summary>
    static double Sum(ReadOnlySpan<float> x)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        var acc = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            acc += lo + hi;
        }
        double sum = Vector256.Sum(acc);
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }

    /// <summary>Σ (x_i − mean)² in fp64.</summary>
    static double SumOfSquaredDeviations(ReadOnlySpan<float> x, double mean)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        var vm = Vector256.Create(mean);
        var acc = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            lo -= vm; hi -= vm;
            acc += lo * lo + hi * hi;
        }
        double sum = Vector256.Sum(acc);
        for (; i < x.Length; i++) { double d = x[i] - mean; sum += d * d; }
        return sum;
    }

    static void CheckParams(int dim, int gammaLength, int betaLength, int scalesLength, int rows)
    {
        if (gammaLength != 0 && gammaLength != dim) throw new ArgumentException($"gain has {gammaLength} elements, expected {dim}");
        if (betaLength != 0 && betaLength != dim) throw new ArgumentException($"bias has {betaLength} elements, expected {dim}");
        if (scalesLength != 0 && scalesLength < rows) throw new ArgumentException($"scales has {scalesLength} elements, expected {rows}");
    }

    internal static int CheckRows(int xLength, int dim, int yLength)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim));
        if (xLength % dim != 0) throw new ArgumentException($"length {xLength} is not a multiple of dim {dim}");
        if (yLength < xLength) throw new ArgumentException("destination too short");
        return xLength / dim;
    }
}
