namespace CircuitInsights.Tensors;

/// <summary>
/// The straightforward triple loop (double accumulation), kept as the test oracle of <see cref="Gemm"/>.
/// </summary>
public static class NaiveGemm
{
    public static void Multiply(MatrixRef a, MatrixRef b, Span<float> c, int ldc, bool accumulate = false)
    {
        int m = a.Rows, k = a.Cols, n = b.Cols;
        if (b.Rows != k) throw new ArgumentException($"inner dimensions differ: A is [{m}x{k}], B is [{b.Rows}x{n}]");
        var arow = new float[k];
        var bt = b.Transposed();
        var bcols = new float[(long)n * k];
        for (int j = 0; j < n; j++) bt.CopyRow(j, bcols.AsSpan(j * k, k));
        for (int i = 0; i < m; i++)
        {
            a.CopyRow(i, arow);
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                var col = bcols.AsSpan(j * k, k);
                for (int p = 0; p < k; p++) sum += (double)arow[p] * col[p];
                c[i * ldc + j] = accumulate ? (float)(c[i * ldc + j] + sum) : (float)sum;
            }
        }
    }
}
