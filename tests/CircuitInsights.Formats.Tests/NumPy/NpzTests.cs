using System.Runtime.InteropServices;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

public sealed class NpzTests
{
    static readonly string[] GemmaKeys = ["W_enc", "W_dec", "b_enc", "b_dec", "threshold"];

    [Theory]
    [InlineData("gemma_scope_params.npz")]
    [InlineData("gemma_scope_params_compressed.npz")]
    public void Open_PythonWrittenGemmaScopeLayout_ReadsAllArrays(string file)
    {
        using var z = NpzArchive.Open(Fixtures.Path(file));
        Assert.Equal(GemmaKeys, z.Tensors.Select(t => t.Name));
        Assert.Equal([3, 5], z.Tensors[0].Shape);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => -1f + 0.125f * i), z.Load("W_enc").F32.ToArray());
        Assert.Equal([1f, 2, 3], z.Load("b_dec").F32.ToArray());
        Assert.Equal(Enumerable.Repeat(0.5f, 5), z.Load("threshold").F32.ToArray());
        var again = z.Load("W_dec").F32; // deflated entries are inflated once and reused
        Assert.Equal(z.Load("W_dec").F32.Span[3], again.Span[3]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_StoredAndDeflated_RoundTripsBits(bool compressed)
    {
        using var dir = new TempDir();
        string path = dir.File("p.npz");
        var rng = new Random(3);
        var w = Enumerable.Range(0, 24).Select(_ => (float)rng.NextDouble()).ToArray();
        var ids = new long[] { 5, -6, long.MaxValue };
        NpzWriter.Write(path, [TensorData.FromF32("W", [4, 6], w), TensorData.FromRaw("ids", DType.I64, [3], Bits.Of(ids))], compressed);
        using var z = NpzArchive.Open(path);
        Assert.Equal(Bits.Of(w), Bits.Of(z.Load("W").F32.ToArray()));
        Assert.Equal(ids, MemoryMarshal.Cast<byte, long>(z.Load("ids").Raw.Span).ToArray());
    }

    [Fact]
    public void Load_StoredAlignedEntry_IsZeroCopy()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[] { 1, 2, 3, 4 }, [4]);
        var bytes = new ZipBuilder().Add("w.npy", npy.ToArray(), align: 64).Build();
        using var dir = new TempDir();
        using var z = NpzArchive.Open(dir.Write("a.npz", bytes));
        var mem = z.Load("w").F32;
        Assert.False(MemoryMarshal.TryGetArray(mem, out _));
        Assert.Equal([1f, 2, 3, 4], mem.ToArray());
    }

    [Fact]
    public void Open_CorruptedZip_Throws()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixtures.Path("gemma_scope_params.npz"));
        string path = dir.Write("c.npz", bytes[..(bytes.Length / 2)]);
        BadInput.ThrowsFile(() => NpzArchive.Open(path), path, "end-of-central-directory");
    }

    [Fact]
    public void Load_DeflatedEntryWithBadCrc_ReportsCorruption()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[] { 1, 2 }, [2]);
        var bytes = new ZipBuilder().Add("w.npy", npy.ToArray(), deflate: true, crcOverride: 0xDEADBEEF).Build();
        using var dir = new TempDir();
        string path = dir.Write("crc.npz", bytes);
        using var z = NpzArchive.Open(path);
        BadInput.ThrowsFile(() => z.Load("w"), path, "'w.npy'", "CRC-32 mismatch");
    }

    [Fact]
    public void Open_DeclaredSizeDisagreesWithNpyHeader_NamesTensor()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[] { 1, 2 }, [2]);
        var data = npy.ToArray()[..^4]; // header says 2 floats, entry holds 1
        using var dir = new TempDir();
        string path = dir.Write("s.npz", new ZipBuilder().Add("w.npy", data).Build());
        BadInput.ThrowsFile(() => NpzArchive.Open(path), path, "tensor 'w'", "needs 8 data bytes");
    }

    [Fact]
    public void Open_DeflatedEntryLyingAboutSize_IsBoundedAndRejected()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[256], [256]);
        using var dir = new TempDir();
        string path = dir.Write("l.npz", new ZipBuilder().Add("w.npy", npy.ToArray(), deflate: true, sizeOverride: 100).Build());
        BadInput.ThrowsFile(() => NpzArchive.Open(path).Load("w"), path, "entry 'w.npy'", "truncated");
    }

    [Fact]
    public void Load_DeflatedEntryInflatingPastDeclaredSize_StopsAtTheDeclaredSize()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[] { 1, 2 }, [2]);
        byte[] valid = npy.ToArray();
        byte[] bomb = [.. valid, .. new byte[1 << 20]]; // a megabyte more than the entry declares
        using var dir = new TempDir();
        string path = dir.Write("bomb.npz", new ZipBuilder().Add("w.npy", bomb, deflate: true, sizeOverride: valid.Length).Build());
        using var z = NpzArchive.Open(path);
        BadInput.ThrowsFile(() => z.Load("w"), path, "'w.npy'", "more than its declared");
    }

    [Fact]
    public void Open_NonNpyEntries_AreIgnoredAndMissingTensorIsNamed()
    {
        var npy = new MemoryStream();
        NpyWriter.Write(npy, new float[] { 9 }, [1]);
        using var dir = new TempDir();
        string path = dir.Write("m.npz", new ZipBuilder().Add("readme.txt", "hi"u8.ToArray()).Add("x.npy", npy.ToArray()).Build());
        using var z = NpzArchive.Open(path);
        Assert.Equal(["x"], z.Tensors.Select(t => t.Name));
        BadInput.ThrowsFile(() => z.Load("W_enc"), path, "'W_enc'", "not found");
    }

    [Fact]
    public void Open_BadNpyInsideArchive_NamesArchiveAndEntry()
    {
        using var dir = new TempDir();
        string path = dir.Write("b.npz", new ZipBuilder().Add("w.npy", "garbage!!!!!"u8.ToArray()).Build());
        BadInput.ThrowsFile(() => NpzArchive.Open(path), path, "entry 'w.npy'", "bad magic");
    }
}
