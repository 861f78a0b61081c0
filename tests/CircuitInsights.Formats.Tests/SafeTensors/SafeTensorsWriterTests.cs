using System.Buffers.Binary;
using System.Text;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats.Tests;

public sealed class SafeTensorsWriterTests
{
    static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(DType.F64)]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    [InlineData(DType.I64)]
    [InlineData(DType.I32)]
    [InlineData(DType.I16)]
    [InlineData(DType.I8)]
    [InlineData(DType.U8)]
    [InlineData(DType.Bool)]
    public void WriteThenRead_EveryDtype_PreservesBitsAndShape(DType dtype)
    {
        using var dir = new TempDir();
        string path = dir.File("rt.safetensors");
        int[] shape = [3, 5];
        var raw = RandomBytes(15 * DTypes.ByteSize(dtype), (int)dtype + 1);
        if (dtype == DType.Bool) for (int i = 0; i < raw.Length; i++) raw[i] &= 1;
        new SafeTensorsWriter().AddRaw("t", dtype, raw, shape).AddRaw("u", dtype, raw.AsMemory(0, DTypes.ByteSize(dtype)), [1]).Write(path);

        using var f = SafeTensorsFile.Open(path);
        var t = f.Load("t");
        Assert.Equal(dtype, t.DType);
        Assert.Equal(shape, t.Shape);
        byte[] back = dtype switch
        {
            DType.F32 => Bits.Of(t.F32.ToArray()),
            DType.F16 or DType.BF16 => Bits.Of(t.Bits16.ToArray()),
            _ => t.Raw.ToArray(),
        };
        Assert.Equal(raw, back);
        Assert.Equal(raw[..DTypes.ByteSize(dtype)], f.Load("u") is var u && u.DType == DType.F32 ? Bits.Of(u.F32.ToArray()) : u.DType is DType.F16 or DType.BF16 ? Bits.Of(u.Bits16.ToArray()) : u.Raw.ToArray());
    }

    [Fact]
    public void Write_HeaderIsPaddedTo8AndKeepsInsertionOrder()
    {
        using var dir = new TempDir();
        string path = dir.File("o.safetensors");
        var w = new SafeTensorsWriter();
        w.Metadata["k"] = "v";
        w.Add("zeta", new float[] { 1 }, [1]).Add("alpha", new float[] { 2, 3 }, [2]).Add("mid", new int[] { 4 }, [1]);
        w.Write(path);
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        string json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.True(json.IndexOf("__metadata__") < json.IndexOf("zeta"));
        Assert.True(json.IndexOf("zeta") < json.IndexOf("alpha"));
        Assert.True(json.IndexOf("alpha") < json.IndexOf("mid"));
        Assert.Equal(8 + (long)n + 4 + 8 + 4, bytes.Length);
    }

    [Fact]
    public void Write_SameInput_GivesIdenticalBytes()
    {
        using var dir = new TempDir();
        void Make(string p) => new SafeTensorsWriter().Add("a", new float[] { 1, 2 }, [2]).Add("b", new long[] { 3 }, [1]).Write(p);
        Make(dir.File("1.safetensors"));
        Make(dir.File("2.safetensors"));
        Assert.Equal(File.ReadAllBytes(dir.File("1.safetensors")), File.ReadAllBytes(dir.File("2.safetensors")));
    }

    [Fact]
    public void Add_F32StoredAsBf16_RoundsToNearestEven()
    {
        using var dir = new TempDir();
        string path = dir.File("bf.safetensors");
        float[] values = [1.0f, BitConverter.Int32BitsToSingle(0x3F808000), BitConverter.Int32BitsToSingle(0x3F818000), -3.5f];
        new SafeTensorsWriter().Add("w", values, [4], DType.BF16).Add("h", values, [4], DType.F16).Write(path);
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal([(ushort)0x3F80, (ushort)0x3F80, (ushort)0x3F82, (ushort)0xC060], f.Load("w").Bits16.ToArray());
        Assert.Equal(values.Select(v => (float)(Half)v), f.Load("h").ToFloatArray());
    }

    [Fact]
    public void Write_ReplacesExistingFileAtomicallyAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        string path = dir.File("a.safetensors");
        new SafeTensorsWriter().Add("old", new float[] { 1 }, [1]).Write(path);
        new SafeTensorsWriter().Add("new", new float[] { 2 }, [1]).Write(path);
        using (var f = SafeTensorsFile.Open(path)) Assert.Equal(["new"], f.Tensors.Select(t => t.Name));
        Assert.Equal(["a.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_FailureMidway_KeepsOldFileAndRemovesTemp()
    {
        using var dir = new TempDir();
        string path = dir.File("a.safetensors");
        new SafeTensorsWriter().Add("old", new float[] { 1 }, [1]).Write(path);
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("boom"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Add_WrongElementCount_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("w", new float[5], [2, 3]));
        Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("w", new float[1], [1]).Add("w", new float[1], [1]));
    }

    [Fact]
    public void Write_TensorDataFromAnotherFile_CopiesAsStored()
    {
        using var dir = new TempDir();
        string a = dir.File("a.safetensors"), b = dir.File("b.safetensors");
        new SafeTensorsWriter().Add16("h", DType.BF16, new ushort[] { 0x3F80, 0xC000 }, [2]).Add("i", new int[] { -5 }, [1]).Write(a);
        using (var fa = SafeTensorsFile.Open(a)) SafeTensorsWriter.Write(b, fa.Tensors.Select(t => fa.Load(t.Name)).ToList(), new Dictionary<string, string> { ["x"] = "y" });
        using var fb = SafeTensorsFile.Open(b);
        Assert.Equal([1f, -2f], fb.Load("h").ToFloatArray());
        Assert.Equal([-5f], fb.Load("i").ToFloatArray());
        Assert.Equal("y", fb.Metadata["x"]);
    }
}
