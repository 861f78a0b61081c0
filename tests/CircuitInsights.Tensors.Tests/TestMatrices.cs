using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

/// <summary>Seeded random matrices as <see cref="MatrixRef"/> views in any dtype and layout, for kernel tests.</summary>
internal static class TestMatrices
{
    /// <summary>
    /// A logical [rows, cols] matrix of values uniform in [-1, 1), stored as <paramref name="dtype"/>. When
    /// <paramref name="transposed"/> the storage is [cols, rows] and the view is its transpose; the storage has an offset
    /// and padded rows so that strides differ from the logical width.
    /// </summary>
    public static MatrixRef Random(Random rng, int rows, int cols, DType dtype = DType.F32, bool transposed = false, int offset = 3, int pad = 5)
    {
        int storedRows = transposed ? cols : rows, storedCols = transposed ? rows : cols;
        int stride = storedCols + pad;
        int length = offset + storedRows * stride;
        MatrixRef stored;
        if (dtype == DType.F32)
        {
            var data = new float[length];
            for (int i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            stored = MatrixRef.FromF32(data, storedRows, storedCols, offset, stride);
        }
        else
        {
            var data = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                float v = (float)(rng.NextDouble() * 2 - 1);
                data[i] = dtype == DType.BF16 ? HalfPrecision.SingleToBf16(v) : HalfPrecision.SingleToF16(v);
            }
            stored = MatrixRef.From16Bit(data, dtype, storedRows, storedCols, offset, stride);
        }
        return transposed ? stored.Transposed() : stored;
    }

    public static float[] RandomArray(Random rng, int length, float scale = 1f)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return data;
    }

    /// <summary>Σ_k |a_ik|·|b_kj| for every (i, j): the scale of the rounding error of a dot product.</summary>
    public static double[] AbsProducts(MatrixRef a, MatrixRef b)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols;
        var result = new double[m * n];
        var av = a.ToArray();
        var bv = b.ToArray();
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double x = Math.Abs(av[i * k + p]);
                for (int j = 0; j < n; j++) result[i * n + j] += x * Math.Abs(bv[p * n + j]);
            }
        return result;
    }
}
