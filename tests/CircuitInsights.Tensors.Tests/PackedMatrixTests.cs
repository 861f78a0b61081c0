using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

public class PackedMatrixTests
{
    [Theory]
    [InlineData(DType.F32, DType.F32, 4)]
    [InlineData(DType.BF16, DType.BF16, 2)]
    [InlineData(DType.F16, DType.F32, 4)]
    public void Pack_ReportsStorageTypeAndBytes(DType source, DType storage, int elementBytes)
    {
        var b = TestMatrices.Random(new Random(15), 300, 33, source);
        using var packed = PackedMatrix.Pack(b);
        Assert.Equal(storage, packed.StorageType);
        Assert.Equal(source, packed.SourceType);
        Assert.Equal((300, 33), (packed.K, packed.N));
        Assert.Equal(300L * 48 * elementBytes, packed.Bytes); // N padded to a multiple of 16
    }

    [Fact]
    public void Pack_EmptyMatrix_MultipliesToZero()
    {
        using var packed = PackedMatrix.Pack(MatrixRef.FromF32(new float[1], 0, 5));
        Assert.Equal(0, packed.Bytes);
        var c = Enumerable.Repeat(3f, 10).ToArray();
        Gemm.Multiply(MatrixRef.FromF32(new float[1], 2, 0), packed, c, 5);
        Assert.All(c, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Dispose_FreesMemory_LaterUseThrows()
    {
        var b = TestMatrices.Random(new Random(16), 20, 20);
        var packed = PackedMatrix.Pack(b);
        packed.Dispose();
        packed.Dispose(); // idempotent
        Assert.True(packed.IsDisposed);
        Assert.Equal(0, packed.Bytes);
        Assert.Throws<ObjectDisposedException>(() => Gemm.Multiply(TestMatrices.Random(new Random(1), 2, 20), packed, new float[40], 20));
    }

    [Fact]
    public void Multiply_PackedThenSourceChanged_UsesPackedCopy()
    {
        var data = new float[16 * 16];
        Array.Fill(data, 1f);
        var b = MatrixRef.FromF32(data, 16, 16);
        using var packed = PackedMatrix.Pack(b);
        Array.Fill(data, 2f);
        var a = MatrixRef.FromF32(Enumerable.Repeat(1f, 16).ToArray(), 1, 16);
        var c = new float[16];
        Gemm.Multiply(a, packed, c, 16);
        Assert.All(c, v => Assert.Equal(16f, v));
    }
}
