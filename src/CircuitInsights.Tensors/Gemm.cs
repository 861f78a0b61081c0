namespace CircuitInsights.Tensors;

/// <summary>
/// Single-precision matrix products C[M, N] (+)= A[M, K] · B[K, N]. Operands are <see cref="MatrixRef"/> views, so
/// A·Bᵀ and Aᵀ·B are just transposed views (no transposed copy is made). C is row-major with leading dimension ldc.
/// </summary>
public static class Gemm
{
    /// <summary>C = A·B (or C += A·B when <paramref name="accumulate"/>).</summary>
    public static void Multiply(MatrixRef a, MatrixRef b, Span<float> c, int ldc, bool accumulate = false)
    {
        CheckShapes(a.Rows, a.Cols, b.Rows, b.Cols, c.Length, ldc);
        NaiveGemm.Multiply(a, b, c, ldc, accumulate);
    }

    /// <summary>C = A·B with a pre-packed B.</summary>
    public static void Multiply(MatrixRef a, PackedMatrix b, Span<float> c, int ldc, bool accumulate = false)
    {
        CheckShapes(a.Rows, a.Cols, b.K, b.N, c.Length, ldc);
        NaiveGemm.Multiply(a, b.Source, c, ldc, accumulate);
    }

    internal static void CheckShapes(int m, int k, int kb, int n, int cLength, int ldc)
    {
        if (k != kb) throw new ArgumentException($"inner dimensions differ: A is [{m}x{k}], B is [{kb}x{n}]");
        if (ldc < n) throw new ArgumentException($"ldc {ldc} < N {n}");
        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLength) throw new ArgumentException($"C has {cLength} elements, needs [{m}x{n}] with ldc {ldc}");
    }
}
