using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats.Tests;

public sealed class SafeTensorsFileTests
{
    /// <summary>A safetensors image with the given JSON header (padded to 8) followed by <paramref name="dataLength"/> bytes.</summary>
    internal static byte[] Image(string json, int dataLength, int? headerLengthOverride = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        int padded = (header.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(headerLengthOverride ?? padded));
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        for (int i = 0; i < dataLength; i++) bytes[8 + padded + i] = (byte)(i * 7 + 3);
        return bytes;
    }

    static void AssertBad(byte[] image, params string[] fragments)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.safetensors", image);
        BadInput.ThrowsFile(() => SafeTensorsFile.Open(path).Dispose(), [path, .. fragments]);
    }

    [Fact]
    public void Open_ValidFile_ListsTensorsInHeaderOrderWithMetadata()
    {
        using var dir = new TempDir();
        string path = dir.File("m.safetensors");
        var w = new SafeTensorsWriter();
        w.Metadata["format"] = "pt";
        w.Add("b", new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        w.Add("a", new long[] { 7, -8 }, [2]);
        w.Write(path);

        using var f = SafeTensorsFile.Open(path);
        Assert.Equal(["b", "a"], f.Tensors.Select(t => t.Name));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.True(f.TryGetInfo("a", out var info));
        Assert.Equal(DType.I64, info.DType);
        Assert.Equal([2], info.Shape);
        Assert.Equal(path, info.File);
        Assert.Equal([1f, 2, 3, 4, 5, 6], f.Load("b").F32.ToArray());
        Assert.Equal([7L, -8L], MemoryMarshal.Cast<byte, long>(f.Load("a").Raw.Span).ToArray());
    }

    [Fact]
    public void Load_AlignedF32_IsZeroCopyViewOfTheMapping()
    {
        using var dir = new TempDir();
        string path = dir.File("z.safetensors");
        new SafeTensorsWriter().Add("w", Enumerable.Range(0, 64).Select(i => (float)i).ToArray(), [8, 8]).Write(path);
        using var f = SafeTensorsFile.Open(path);
        var mem = f.Load("w").F32;
        Assert.False(MemoryMarshal.TryGetArray(mem, out _)); // not a managed array copy
        Assert.True(MemoryMarshal.TryGetMemoryManager<float, MemoryManager<float>>(mem, out _));
        Assert.Equal(63f, mem.Span[63]);
    }

    [Fact]
    public void Load_AfterDispose_ThrowsObjectDisposedInsteadOfReadingUnmappedMemory()
    {
        using var dir = new TempDir();
        string path = dir.File("d.safetensors");
        new SafeTensorsWriter().Add("w", new float[] { 1, 2 }, [2]).Write(path);
        var f = SafeTensorsFile.Open(path);
        var mem = f.Load("w").F32;
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mem.Span[0]);
    }

    [Fact]
    public void Load_MisalignedData_IsCopiedWithExactValues()
    {
        // Fixture written by make_fixtures.py with an unpadded header: F32 data starts at an odd offset.
        using var f = SafeTensorsFile.Open(Fixtures.Path("unaligned.safetensors"));
        var a = f.Load("a");
        Assert.Equal([1.5f, -2.25f], a.F32.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(a.F32, out _)); // copied, not a misaligned view
        Assert.Equal(-7L, BitConverter.ToInt64(f.Load("b").Raw.Span));
        Assert.Equal("pt", f.Metadata["format"]);
    }

    [Fact]
    public void Load_UnknownName_NamesFileAndTensor()
    {
        using var dir = new TempDir();
        string path = dir.File("u.safetensors");
        new SafeTensorsWriter().Add("model.wte.weight", new float[] { 1 }, [1]).Write(path);
        using var f = SafeTensorsFile.Open(path);
        BadInput.ThrowsFile(() => f.Load("wte.weight"), path, "'wte.weight'", "not found", "model.wte.weight");
    }

    [Fact]
    public void Open_EmptyFile_Throws() => AssertBad([], "empty file");

    [Fact]
    public void Open_ShorterThanLengthPrefix_Throws() => AssertBad([1, 2, 3], "too short");

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        using var dir = new TempDir();
        string path = dir.File("absent.safetensors");
        BadInput.ThrowsFile(() => SafeTensorsFile.Open(path), path, "not found");
    }

    [Fact]
    public void Open_HeaderLengthBeyondFile_Throws() =>
        AssertBad(Image("{}", 0, headerLengthOverride: 4096), "header length 4096 exceeds the file size");

    [Fact]
    public void Open_OversizedHeaderLength_Throws() =>
        AssertBad(Image("{}", 0, headerLengthOverride: 200_000_000), "exceeds the 100000000-byte limit");

    [Fact]
    public void Open_GarbledJson_Throws() => AssertBad(Image("{\"a\": {\"dtype\": ", 0), "not valid UTF-8 JSON");

    [Fact]
    public void Open_InvalidUtf8_Throws()
    {
        var image = Image("{\"ab\": 1}", 0);
        image[10] = 0xC3; image[11] = 0x28; // invalid 2-byte sequence inside the key
        AssertBad(image, "not valid UTF-8");
    }

    [Fact]
    public void Open_HeaderNotAnObject_Throws() => AssertBad(Image("[1, 2]", 0), "must be a JSON object");

    [Fact]
    public void Open_UnknownDtype_NamesTensorAndDtype() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2), "tensor 'w'", "unsupported dtype 'F8_E4M3'", "BF16");

    [Fact]
    public void Open_OffsetsBeyondData_ReportsTruncation() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8), "tensor 'w'", "exceed the data section of 8 bytes");

    [Fact]
    public void Open_SizeMismatch_NamesTensorExpectedAndFound() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "tensor 'w'", "needs 12 bytes", "span 8");

    [Fact]
    public void Open_NegativeShape_Throws() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 0]}}", 0), "tensor 'w'", "shape entry 0");

    [Fact]
    public void Open_EndBeforeBegin_Throws() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [4, 2]}}", 8), "tensor 'w'", "before begin");

    [Fact]
    public void Open_OverlappingTensors_NamesBoth() =>
        AssertBad(Image("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'b'", "overlaps", "'a'");

    [Fact]
    public void Open_DuplicateTensorName_Throws() =>
        AssertBad(Image("{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}, \"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}", 2), "'a'", "twice");

    [Fact]
    public void Open_MetadataWithNonStringValue_Throws() =>
        AssertBad(Image("{\"__metadata__\": {\"n\": 3}}", 0), "'__metadata__'", "'n'", "must be a string");

    [Fact]
    public void Open_TruncatedData_IsDetected()
    {
        using var dir = new TempDir();
        string good = dir.File("g.safetensors");
        new SafeTensorsWriter().Add("w", new float[16], [16]).Write(good);
        var bytes = File.ReadAllBytes(good);
        AssertBad(bytes[..^5], "tensor 'w'", "exceed the data section");
    }

    [Fact]
    public void Open_ShapeProductOverflow_Throws() =>
        AssertBad(Image("{\"w\": {\"dtype\": \"F64\", \"shape\": [2147483647, 2147483647, 2147483647], \"data_offsets\": [0, 0]}}", 0), "tensor 'w'", "more than 2^63");

    [Fact]
    public void Open_ZeroSizedTensors_AreAllowedAnywhere()
    {
        using var f = SafeTensorsFile.FromBytes(Image("{\"e\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [0, 0]}, \"x\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2), "mem");
        Assert.Equal(0, f.Load("e").ElementCount);
        Assert.Equal(2, f.Load("x").Raw.Length);
    }
}
