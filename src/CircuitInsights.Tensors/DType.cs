namespace CircuitInsights.Tensors;

/// <summary>Element types found in checkpoint files. Compute is always fp32; 16-bit floats are widened on the fly.</summary>
public enum DType
{
    F32,
    F16,
    BF16,
    F64,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

public static class DTypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int ByteSize(DType dtype) => dtype switch
    {
        DType.F64 or DType.I64 => 8,
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>True for the float types that kernels accept directly (F32, F16, BF16).</summary>
    public static bool IsKernelFloat(DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;
}
