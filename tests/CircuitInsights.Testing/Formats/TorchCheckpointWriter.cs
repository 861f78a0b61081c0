using System.Runtime.InteropServices;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Writes torch.save-style zip checkpoints (torch ≥ 1.6 layout: <c>&lt;archive&gt;/data.pkl</c> protocol-2 pickle,
/// <c>byteorder</c>, <c>data/&lt;key&gt;</c> storages stored and 64-byte aligned, <c>version</c>) for tests and demo
/// data. Build the object tree with <see cref="Tensor(float[], int[])"/> and friends, plus plain C# values and the Py*
/// records of <see cref="PickleWriter"/>, then call <see cref="Build"/> or <see cref="Write"/>.
/// </summary>
public sealed class TorchCheckpointWriter(string archiveName = "archive")
{
    readonly List<(string Key, byte[] Data)> _storages = [];

    public string ArchiveName { get; } = archiveName;
    /// <summary>When true, storage entries are deflated instead of stored (torch never does this; tests do).</summary>
    public bool DeflateStorages { get; set; }

    static readonly PyGlobal RebuildV2 = new("torch._utils", "_rebuild_tensor_v2");

    public static string StorageClass(DType dtype) => dtype switch
    {
        DType.F32 => "FloatStorage",
        DType.F64 => "DoubleStorage",
        DType.F16 => "HalfStorage",
        DType.BF16 => "BFloat16Storage",
        DType.I64 => "LongStorage",
        DType.I32 => "IntStorage",
        DType.I16 => "ShortStorage",
        DType.I8 => "CharStorage",
        DType.U8 => "ByteStorage",
        DType.Bool => "BoolStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Adds a storage of raw little-endian bytes and returns its persistent id.</summary>
    public PyPersistentId AddStorage(byte[] bytes, DType dtype, string location = "cpu")
    {
        string key = _storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _storages.Add((key, bytes));
        long numel = bytes.Length / DTypes.ByteSize(dtype);
        return new PyPersistentId(new PyTuple("storage", new PyGlobal("torch", StorageClass(dtype)), key, location, numel));
    }

    /// <summary>A <c>_rebuild_tensor_v2</c> call viewing <paramref name="storage"/>.</summary>
    public static PyReduce View(PyPersistentId storage, long offset, int[] size, long[] stride, bool requiresGrad = false) =>
        new(RebuildV2, new PyTuple(storage, offset, new PyTuple(size.Select(s => (object?)(long)s).ToArray()),
            new PyTuple(stride.Select(s => (object?)s).ToArray()), requiresGrad, new PyOrderedDict([])));

    /// <summary>A contiguous fp32 tensor with its own storage.</summary>
    public PyReduce Tensor(float[] data, int[] shape) => Tensor(MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), DType.F32, shape);

    /// <summary>A contiguous tensor of any dtype from raw bytes, with its own storage.</summary>
    public PyReduce Tensor(byte[] raw, DType dtype, int[] shape)
    {
        var id = AddStorage(raw, dtype);
        return View(id, 0, shape, RowMajorStride(shape));
    }

    public static long[] RowMajorStride(int[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    /// <summary>The checkpoint bytes for <paramref name="root"/> (its data.pkl), with pickle bytes optionally replaced.</summary>
    public byte[] Build(object? root, byte[]? pickleOverride = null)
    {
        byte[] pkl = pickleOverride ?? PickleWriter.Dumps(root);
        var zip = new ZipBuilder();
        string p = ArchiveName.Length == 0 ? "" : ArchiveName + "/";
        zip.Add(p + "data.pkl", pkl, align: 64);
        zip.Add(p + "byteorder", "little"u8.ToArray(), align: 64);
        foreach (var (key, data) in _storages) zip.Add($"{p}data/{key}", data, deflate: DeflateStorages, align: DeflateStorages ? 0 : 64);
        zip.Add(p + "version", "3\n"u8.ToArray(), align: 64);
        return zip.Build();
    }

    public void Write(string path, object? root) => File.WriteAllBytes(path, Build(root));
}
