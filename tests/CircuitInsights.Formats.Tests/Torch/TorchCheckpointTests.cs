using System.Runtime.InteropServices;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

public sealed class TorchCheckpointTests
{
    static float[] Range(int n, float scale, float shift) => Enumerable.Range(0, n).Select(i => shift + scale * i).ToArray();

    [Fact]
    public void Open_PchlenskiStyleCheckpoint_NamesTensorsByDictPath()
    {
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("pchlenski_style.pt"));
        Assert.Equal("final_sparse_autoencoder_gpt2-small_blocks.8.ln2.hook_normalized_24576", ckpt.ArchiveName);
        Assert.Equal(["state_dict.W_enc", "state_dict.b_enc", "state_dict.W_dec", "state_dict.b_dec", "state_dict.b_dec_out"], ckpt.Tensors.Select(t => t.Name));
        Assert.Equal([4, 6], ckpt.Tensors[0].Shape);
        Assert.Equal(Range(24, 0.25f, -1f), ckpt.Load("state_dict.W_enc").F32.ToArray());
        Assert.Equal(Range(24, -0.125f, 2f), ckpt.Load("state_dict.W_dec").F32.ToArray());
        Assert.Equal([0.25f, 0.75f, -0.25f, -0.75f], ckpt.Load("state_dict.b_dec_out").F32.ToArray()); // saved from cuda:0
        Assert.Contains("sae_training.config.LanguageModelSAERunnerConfig", ckpt.ForeignGlobals);
    }

    [Fact]
    public void Open_PchlenskiStyleCheckpoint_ExposesCfgAsInertData()
    {
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("pchlenski_style.pt"));
        var cfg = Assert.IsType<PickledObject>(ckpt.GetValue("cfg"));
        Assert.Equal("sae_training.config.LanguageModelSAERunnerConfig", cfg.FullName);
        Assert.Equal(4, ckpt.GetInt("cfg.d_in"));
        Assert.Equal(6, ckpt.GetInt("cfg.d_sae"));
        Assert.Equal("blocks.8.ln2.hook_normalized", ckpt.GetString("cfg.hook_point"));
        Assert.Equal("blocks.8.hook_mlp_out", ckpt.GetString("cfg.out_hook_point"));
        Assert.True(ckpt.GetBool("cfg.is_transcoder"));
        Assert.Equal(0.0004, ckpt.GetFloat("cfg.lr"), 12);
        Assert.Equal("torch.float32", Assert.IsType<PickleGlobal>(ckpt.GetValue("cfg.dtype")).FullName);
        Assert.Contains("d_in", cfg.FieldNames);
        BadInput.ThrowsFile(() => ckpt.GetInt("cfg.hook_point"), "pchlenski_style.pt", "'cfg.hook_point'", "expected int", "str");
        BadInput.ThrowsFile(() => ckpt.GetValue("cfg.nope"), "'cfg.nope'", "not found");
    }

    [Fact]
    public void Load_StoredAlignedContiguousTensor_IsZeroCopy()
    {
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("pchlenski_style.pt"));
        Assert.False(MemoryMarshal.TryGetArray(ckpt.Load("state_dict.W_enc").F32, out _));
    }

    [Fact]
    public void Open_MixedDtypesAndStrides_MaterializesEachExactly()
    {
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("mixed_dtypes.pt"));
        float S(int i) => -1f + 0.25f * i;
        Assert.Equal(Enumerable.Range(0, 12).Select(S), ckpt.Load("contiguous").F32.ToArray());
        var transposed = ckpt.Load("transposed");
        Assert.Equal([4, 3], transposed.Shape);
        Assert.Equal(from i in Enumerable.Range(0, 4) from j in Enumerable.Range(0, 3) select S(i + 4 * j), transposed.F32.ToArray());
        Assert.Equal(Enumerable.Range(4, 8).Select(S), ckpt.Load("row_slice").F32.ToArray());
        Assert.Equal(from r in Enumerable.Range(0, 3) from c in Enumerable.Range(0, 2) select S(1 + 4 * r + c), ckpt.Load("column_slice").F32.ToArray());
        var bf16 = ckpt.Load("bf16");
        Assert.Equal(DType.BF16, bf16.DType);
        Assert.Equal([1f, -2f, 0.5f, 3f, -0.25f, 8f], bf16.ToFloatArray());
        Assert.Equal([1.5f, -0.5f, 65504f, 0f], ckpt.Load("f16").ToFloatArray());
        Assert.Equal([Math.PI, -1e300], MemoryMarshal.Cast<byte, double>(ckpt.Load("f64").Raw.Span).ToArray());
        Assert.Equal([1L, -2L, 1L << 40, -(1L << 62)], MemoryMarshal.Cast<byte, long>(ckpt.Load("i64").Raw.Span).ToArray());
        Assert.Equal(new byte[] { 1, 0, 1 }, ckpt.Load("mask").Raw.ToArray());
        var scalar = ckpt.Load("scalar");
        Assert.Empty(scalar.Shape);
        Assert.Equal([S(5)], scalar.F32.ToArray());
        Assert.Equal(Enumerable.Range(8, 4).Select(S), ckpt.Load("param").F32.ToArray());
        Assert.Equal([S(0), S(1)], ckpt.Load("nested.list.0").F32.ToArray());
        Assert.Equal("text", ckpt.GetString("nested.list.1"));
        Assert.Equal(3.5, ckpt.GetFloat("nested.pi"));
        Assert.Equal(new byte[] { 0, 1, 0xFF }, ckpt.GetValue("nested.blob"));
        Assert.Null(ckpt.GetValue("nested.none"));
    }

    [Fact]
    public void Open_BareTensor_IsNamedTensor()
    {
        using var ckpt = TorchCheckpoint.Open(Fixtures.Path("bare_tensor.pt"));
        Assert.Equal([TorchCheckpoint.RootTensorName], ckpt.Tensors.Select(t => t.Name));
        Assert.Equal([-1f, -2.5f, -4f], ckpt.Load("tensor").F32.ToArray());
    }

    [Fact]
    public void Open_LegacyFormat_SuggestsResaving() =>
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(Fixtures.Path("legacy.pt")), "legacy.pt", "legacy", "torch >= 1.6");

    [Fact]
    public void WriteThenRead_CSharpWriter_RoundTripsAndKeepsStateDictOrder()
    {
        var w = new TorchCheckpointWriter("my_model");
        var rng = new Random(11);
        var enc = Enumerable.Range(0, 12).Select(_ => (float)rng.NextDouble()).ToArray();
        var ids = new long[] { 3, 1, 4 };
        var root = new Dictionary<string, object?>
        {
            ["state_dict"] = new PyOrderedDict([new("W_enc", w.Tensor(enc, [3, 4])), new("ids", w.Tensor(Bits.Of(ids), DType.I64, [3]))]),
            ["step"] = 1000,
        };
        using var dir = new TempDir();
        string path = dir.File("c.pt");
        w.Write(path, root);
        using var ckpt = TorchCheckpoint.Open(path);
        Assert.Equal("my_model", ckpt.ArchiveName);
        Assert.Equal(["state_dict.W_enc", "state_dict.ids"], ckpt.Tensors.Select(t => t.Name));
        Assert.Equal(Bits.Of(enc), Bits.Of(ckpt.Load("state_dict.W_enc").F32.ToArray()));
        Assert.Equal(ids, MemoryMarshal.Cast<byte, long>(ckpt.Load("state_dict.ids").Raw.Span).ToArray());
        Assert.Equal(1000, ckpt.GetInt("step"));
    }

    [Fact]
    public void Open_DeflatedStorages_AreInflatedOnce()
    {
        var w = new TorchCheckpointWriter { DeflateStorages = true };
        using var dir = new TempDir();
        string path = dir.File("d.pt");
        w.Write(path, new PyOrderedDict([new("a", w.Tensor(new float[] { 1, 2, 3 }, [3]))]));
        using var ckpt = TorchCheckpoint.Open(path);
        Assert.Equal([1f, 2, 3], ckpt.Load("a").F32.ToArray());
    }

    static string WriteCkpt(TempDir dir, Func<TorchCheckpointWriter, object?> root, string name = "x.pt")
    {
        var w = new TorchCheckpointWriter();
        string path = dir.File(name);
        w.Write(path, root(w));
        return path;
    }

    [Fact]
    public void Open_ViewBeyondStorage_NamesTensorAndStorage()
    {
        using var dir = new TempDir();
        string path = WriteCkpt(dir, w => new Dictionary<string, object?>
        {
            ["w"] = TorchCheckpointWriter.View(w.AddStorage(new byte[16], DType.F32), 2, [2, 2], [2, 1]),
        });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "tensor 'w'", "beyond storage '0' of 4 elements");
    }

    [Fact]
    public void Open_ExpandedStrideZeroView_IsRejected()
    {
        using var dir = new TempDir();
        string path = WriteCkpt(dir, w => new Dictionary<string, object?>
        {
            ["w"] = TorchCheckpointWriter.View(w.AddStorage(new byte[4], DType.F32), 0, [1000, 1000], [0, 0]),
        });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "tensor 'w'", "stride 0");
    }

    [Fact]
    public void Open_StorageLargerThanItsEntry_Throws()
    {
        using var dir = new TempDir();
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage(new byte[8], DType.F32);
        var lying = new PyPersistentId(new PyTuple("storage", new PyGlobal("torch", "FloatStorage"), "0", "cpu", 100L));
        string path = dir.File("s.pt");
        w.Write(path, new Dictionary<string, object?> { ["w"] = TorchCheckpointWriter.View(lying, 0, [100], [1]) });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "storage '0'", "larger than its zip entry");
        _ = storage;
    }

    [Fact]
    public void Open_MissingStorageEntry_NamesEntry()
    {
        using var dir = new TempDir();
        var missing = new PyPersistentId(new PyTuple("storage", new PyGlobal("torch", "FloatStorage"), "7", "cpu", 1L));
        string path = WriteCkpt(dir, _ => new Dictionary<string, object?> { ["w"] = TorchCheckpointWriter.View(missing, 0, [1], [1]) });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "storage '7'", "archive/data/7", "missing");
    }

    [Fact]
    public void Open_PersistentIdWithUnknownStorageClass_Throws()
    {
        using var dir = new TempDir();
        var bad = new PyPersistentId(new PyTuple("storage", new PyGlobal("os", "system"), "0", "cpu", 1L));
        string path = WriteCkpt(dir, w => { w.AddStorage(new byte[4], DType.F32); return new List<object?> { bad }; });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "os.system", "not a torch storage class");
    }

    [Fact]
    public void Open_UntypedStorageTensor_ReportsUnknownDtype()
    {
        using var dir = new TempDir();
        string path = WriteCkpt(dir, w =>
        {
            w.AddStorage(new byte[4], DType.U8);
            var untyped = new PyPersistentId(new PyTuple("storage", new PyGlobal("torch", "UntypedStorage"), "0", "cpu", 4L));
            return new Dictionary<string, object?> { ["w"] = TorchCheckpointWriter.View(untyped, 0, [4], [1]) };
        });
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "tensor 'w'", "untyped");
    }

    [Fact]
    public void Open_ZipWithoutDataPkl_Throws()
    {
        using var dir = new TempDir();
        string path = dir.Write("n.pt", new ZipBuilder().Add("archive/version", "3\n"u8.ToArray()).Build());
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "data.pkl");
        string npz = dir.Write("params.pt", File.ReadAllBytes(Fixtures.Path("gemma_scope_params.npz")));
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(npz), npz, "looks like a NumPy .npz");
    }

    [Fact]
    public void Open_BigEndianByteOrder_IsRejected()
    {
        using var dir = new TempDir();
        var zip = new ZipBuilder().Add("archive/data.pkl", PickleWriter.Dumps(1)).Add("archive/byteorder", "big"u8.ToArray()).Build();
        string path = dir.Write("b.pt", zip);
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "'big'", "little-endian");
    }

    [Fact]
    public void Open_TruncatedPickleInsideZip_NamesEntryAndOffset()
    {
        using var dir = new TempDir();
        var pkl = PickleWriter.Dumps(new Dictionary<string, object?> { ["a"] = 1 });
        string path = dir.Write("t.pt", new ZipBuilder().Add("archive/data.pkl", pkl[..^3]).Build());
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "archive/data.pkl", "at byte");
    }

    [Fact]
    public void Open_TruncatedFile_Throws()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixtures.Path("pchlenski_style.pt"));
        foreach (int cut in new[] { 0, 10, bytes.Length / 2, bytes.Length - 10 })
        {
            string path = dir.Write($"cut{cut}.pt", bytes[..cut]);
            BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path);
        }
    }

    [Fact]
    public void Open_DeeplyNestedObjectTree_IsRejectedByTheVm()
    {
        var lists = Enumerable.Range(0, 2000).Select(_ => new List<object?>()).ToList();
        for (int i = 0; i + 1 < lists.Count; i++) lists[i].Add(lists[i + 1]);
        using var dir = new TempDir();
        string path = WriteCkpt(dir, _ => lists[0]);
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "nested deeper");
    }

    [Fact]
    public void Open_DeepChainLinkedThroughMemo_IsRejectedByTheWalker()
    {
        // 2 000 empty lists are memoized first and linked afterwards (L0.append(L1), L1.append(L2), ...), so the
        // VM's cached depths stay at 2; the tensor walker must still stop at the nesting limit.
        var p = new List<byte> { 0x80, 2 };
        void Get(int i) { p.Add((byte)'j'); p.AddRange(BitConverter.GetBytes(i)); }
        for (int i = 0; i < 2000; i++) { p.Add((byte)']'); p.Add((byte)'r'); p.AddRange(BitConverter.GetBytes(i)); p.Add((byte)'0'); }
        for (int i = 0; i + 1 < 2000; i++) { Get(i); Get(i + 1); p.Add((byte)'a'); p.Add((byte)'0'); }
        Get(0);
        p.Add((byte)'.');
        using var dir = new TempDir();
        string path = dir.Write("chain.pt", new TorchCheckpointWriter().Build(null, p.ToArray()));
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "object tree is nested deeper than 512");
    }

    [Fact]
    public void Open_SharedSubtrees_AreBoundedByTheVisitLimit()
    {
        // 40 levels of [x, x]: 2^40 paths through 40 objects. Must fail fast, not walk forever.
        object? node = new List<object?> { 1 };
        for (int i = 0; i < 40; i++) node = new List<object?> { node, node };
        using var dir = new TempDir();
        string path = WriteCkpt(dir, _ => node);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        BadInput.ThrowsFile(() => TorchCheckpoint.Open(path), path, "more than");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }
}
