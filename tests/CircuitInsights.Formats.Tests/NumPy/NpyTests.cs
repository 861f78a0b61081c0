using System.Runtime.InteropServices;
using System.Text;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats.Tests;

public sealed class NpyTests
{
    internal static byte[] NpyBytes(string dict, byte[] data, int major = 1)
    {
        var header = Encoding.Latin1.GetBytes(dict + "\n");
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)header.Length));
        else ms.Write(BitConverter.GetBytes((uint)header.Length));
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    static void AssertBad(byte[] bytes, params string[] fragments)
    {
        using var dir = new TempDir();
        string path = dir.Write("x.npy", bytes);
        BadInput.ThrowsFile(() => NpyFile.Open(path).Dispose(), [path, .. fragments]);
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.F64)]
    [InlineData(DType.I64)]
    [InlineData(DType.I32)]
    [InlineData(DType.I16)]
    [InlineData(DType.I8)]
    [InlineData(DType.U8)]
    [InlineData(DType.Bool)]
    public void WriteThenRead_EveryDtype_PreservesBits(DType dtype)
    {
        using var dir = new TempDir();
        string path = dir.File("arr.npy");
        var raw = new byte[4 * 3 * DTypes.ByteSize(dtype)];
        new Random(7).NextBytes(raw);
        if (dtype == DType.Bool) for (int i = 0; i < raw.Length; i++) raw[i] &= 1;
        using (var s = File.Create(path)) NpyWriter.Write(s, dtype, [4, 3], raw);
        Assert.Equal(0, (File.ReadAllBytes(path).Length - raw.Length) % 64); // header padded to 64 like numpy
        using var f = NpyFile.Open(path);
        var t = f.Load("arr");
        Assert.Equal([4, 3], t.Shape);
        Assert.Equal(dtype, t.DType);
        byte[] back = dtype == DType.F32 ? Bits.Of(t.F32.ToArray()) : dtype == DType.F16 ? Bits.Of(t.Bits16.ToArray()) : t.Raw.ToArray();
        Assert.Equal(raw, back);
    }

    [Fact]
    public void Format_OneDimensionalAndScalarShapes_UsePythonTupleSyntax()
    {
        Assert.Contains("'shape': (5,)", Encoding.ASCII.GetString(NpyHeader.Format(DType.F32, [5])));
        Assert.Contains("'shape': ()", Encoding.ASCII.GetString(NpyHeader.Format(DType.F32, [])));
        Assert.Contains("'descr': '<f4', 'fortran_order': False", Encoding.ASCII.GetString(NpyHeader.Format(DType.F32, [2, 3])));
    }

    [Fact]
    public void Open_FortranOrder_IsTransposedIntoCOrder()
    {
        using var f = NpyFile.Open(Fixtures.Path("fortran_2x3.npy"));
        Assert.True(f.Header.FortranOrder);
        Assert.Equal([0f, 1, 2, 3, 4, 5], f.Load("fortran_2x3").F32.ToArray());
    }

    [Fact]
    public void Open_Version2And3Headers_AreRead()
    {
        using (var f = NpyFile.Open(Fixtures.Path("v2_int64.npy")))
        {
            Assert.Equal(2, f.Header.Major);
            Assert.Equal([1L, -1L, 1L << 50], MemoryMarshal.Cast<byte, long>(f.Load("v2_int64").Raw.Span).ToArray());
        }
        using (var f = NpyFile.Open(Fixtures.Path("v3_f16.npy")))
        {
            Assert.Equal(3, f.Header.Major);
            Assert.Equal([0.5f, -2f], f.Load("v3_f16").ToFloatArray());
        }
    }

    [Fact]
    public void Open_CArray_IsZeroCopy()
    {
        using var dir = new TempDir();
        string path = dir.File("c.npy");
        NpyWriter.Write(path, TensorData.FromF32("c", [2, 2], new float[] { 1, 2, 3, 4 }));
        using var f = NpyFile.Open(path);
        Assert.False(MemoryMarshal.TryGetArray(f.Load("c").F32, out _));
    }

    [Fact]
    public void Open_BigEndian_ExplainsHowToResave() =>
        BadInput.ThrowsFile(() => NpyFile.Open(Fixtures.Path("big_endian.npy")), "big_endian.npy", "'>f4'", "big-endian", "astype('<f4')");

    [Fact]
    public void Open_BadMagic_Throws() => AssertBad(Encoding.ASCII.GetBytes("NOTNUMPY..........."), "bad magic");

    [Fact]
    public void Open_EmptyFile_Throws() => AssertBad([], "empty file");

    [Fact]
    public void Open_UnsupportedDtype_ListsSupported() =>
        AssertBad(NpyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]), "'<c8'", "not supported", "<f4");

    [Fact]
    public void Open_ObjectArray_IsRefused() =>
        AssertBad(NpyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8]), "'|O'", "pickled Python objects");

    [Fact]
    public void Open_StructuredDtype_IsRefused() =>
        AssertBad(NpyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]), "'descr'", "structured");

    [Fact]
    public void Open_TruncatedData_Throws() =>
        AssertBad(NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[12]), "needs 16 data bytes", "truncated");

    [Fact]
    public void Open_GarbledHeader_Throws() =>
        AssertBad(NpyBytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }", new byte[16]), "not a Python dict literal");

    [Fact]
    public void Open_UnknownVersion_Throws() =>
        AssertBad(NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4], major: 9), "version 9.0");

    [Fact]
    public void Open_HeaderLengthBeyondFile_Throws()
    {
        var b = NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        b[8] = 0xFF; b[9] = 0xFF;
        AssertBad(b, "truncated");
    }

    [Fact]
    public void Write_Bf16_IsRejectedBecauseNumpyHasNoBf16()
    {
        var t = TensorData.From16Bit("b", DType.BF16, [1], new ushort[] { 0x3F80 });
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(new MemoryStream(), t));
    }
}
