using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// A PyTorch checkpoint written by <c>torch.save</c> ≥ 1.6: a zip with <c>&lt;archive&gt;/data.pkl</c> (the pickled
/// object), <c>&lt;archive&gt;/data/&lt;key&gt;</c> (raw little-endian storages, normally stored uncompressed and
/// 64-byte aligned) and <c>&lt;archive&gt;/version</c>; the archive folder name varies. The pickle is read by the
/// code-free <see cref="PickleReader"/>; persistent ids <c>('storage', torch.FloatStorage, key, location, numel)</c>
/// become <see cref="TorchStorageRef"/>s and <c>_rebuild_tensor_v2</c> calls <see cref="TorchTensorRef"/>s.
/// Tensors are named by their dotted path in the object tree (e.g. <c>state_dict.W_enc</c> in the pchlenski GPT-2
/// transcoders, reference.md §1.4a; a file holding one bare tensor names it <c>tensor</c>). Contiguous tensors in
/// stored entries are zero-copy views; non-contiguous ones are copied into C order on load. Other objects (such as
/// the <c>cfg</c> config class) stay inert records readable through <see cref="Root"/> and <see cref="PickleTree"/>.
/// </summary>
public sealed class TorchCheckpoint : ITensorSource
{
    /// <summary>Name given to the tensor when the whole file is a single tensor.</summary>
    public const string RootTensorName = "tensor";
    const int MaxVisits = 1_000_000;

    readonly ByteSource _bytes;
    readonly ZipDirectory _zip;
    readonly Dictionary<string, TorchTensorRef> _refs = new(StringComparer.Ordinal);
    readonly Dictionary<string, TensorInfo> _infos = new(StringComparer.Ordinal);
    readonly Dictionary<string, ByteSource> _inflated = new(StringComparer.Ordinal);
    readonly Dictionary<string, TorchStorageRef> _storages = new(StringComparer.Ordinal);
    readonly object _lock = new();

    public string Location => _bytes.Location;
    /// <summary>The zip's top folder (e.g. <c>archive</c>, or the file stem for newer torch versions).</summary>
    public string ArchiveName { get; }
    /// <summary>The unpickled object (dicts, lists, inert <see cref="PickledObject"/>s, tensor references).</summary>
    public object? Root { get; }
    /// <summary>Globals referenced by the pickle that are not on the allow-list (recorded, never executed).</summary>
    public IReadOnlyCollection<string> ForeignGlobals { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }

    TorchCheckpoint(ByteSource bytes, PickleLimits? limits)
    {
        _bytes = bytes;
        try
        {
            CheckNotLegacy(bytes);
            _zip = ZipDirectory.Read(bytes, "torch checkpoint");
            var pkl = FindDataPkl();
            ArchiveName = pkl.Name.Contains('/') ? pkl.Name[..pkl.Name.LastIndexOf('/')] : "";
            CheckByteOrder();
            limits ??= PickleLimits.Default;
            byte[] pickle = _zip.ReadAll(pkl, limits.MaxInputBytes);
            Root = PickleReader.Load(pickle, Location, pkl.Name, PersistentLoad, limits, out var foreign);
            ForeignGlobals = foreign;
            var infos = new List<TensorInfo>();
            int visits = 0;
            Collect(Root, "", 0, new HashSet<object>(ReferenceEqualityComparer.Instance), infos, ref visits, limits.MaxNesting);
            Tensors = infos;
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    public static TorchCheckpoint Open(string path, PickleLimits? limits = null) => new(ByteSource.MapFile(path), limits);

    public static TorchCheckpoint FromBytes(ReadOnlySpan<byte> bytes, string location, PickleLimits? limits = null) => new(ByteSource.FromBytes(bytes, location), limits);

    /// <summary>Value at a dotted path of the object tree (see <see cref="PickleTree"/>).</summary>
    public object? GetValue(string path) => PickleTree.Get(Root, path, Location);
    public bool TryGetValue(string path, out object? value) => PickleTree.TryGet(Root, path, out value);
    public long GetInt(string path) => PickleTree.GetInt(Root, path, Location);
    public double GetFloat(string path) => PickleTree.GetFloat(Root, path, Location);
    public string GetString(string path) => PickleTree.GetString(Root, path, Location);
    public bool GetBool(string path) => PickleTree.GetBool(Root, path, Location);

    public bool TryGetInfo(string name, out TensorInfo info) => _infos.TryGetValue(name, out info!);

    public TensorData Load(string name)
    {
        if (!_refs.TryGetValue(name, out var t))
            throw new InvalidModelFileException(Location, $"tensor '{name}' not found (checkpoint has: {string.Join(", ", _infos.Keys.Take(20))})");
        var storage = (TorchStorageRef)t.Storage!;
        var dtype = storage.DType!.Value;
        int itemSize = DTypes.ByteSize(dtype);
        var entry = StorageEntry(storage.Key);
        ByteSource source;
        long baseOffset;
        if (entry.IsStored)
        {
            source = _bytes;
            baseOffset = _zip.StoredOffset(entry);
        }
        else
        {
            lock (_lock)
            {
                _bytes.ThrowIfDisposed();
                if (!_inflated.TryGetValue(entry.Name, out source!))
                {
                    source = ByteSource.WrapPinned(_zip.ReadAll(entry, long.MaxValue), $"{Location}!{entry.Name}");
                    _inflated[entry.Name] = source;
                }
            }
            baseOffset = 0;
        }
        if (StridedCopy.IsContiguous(t.Size, t.Stride))
            return TensorViews.FromSource(source, baseOffset + t.StorageOffset * itemSize, name, dtype, t.Size);
        long storageBytes = storage.ElementCount * itemSize;
        long outBytes = TensorViews.ElementCount(t.Size) * itemSize;
        if (storageBytes > int.MaxValue || outBytes > int.MaxValue)
            throw new InvalidModelFileException(Location, $"tensor '{name}': non-contiguous tensors over 2 GiB are not supported; save it with .contiguous()");
        var src = source.Span(baseOffset, (int)storageBytes, $"tensor '{name}' storage");
        var dst = new byte[outBytes];
        StridedCopy.Gather(src, itemSize, t.Size, t.Stride, t.StorageOffset, dst);
        return TensorViews.FromBytes(dst, name, dtype, t.Size);
    }

    static void CheckNotLegacy(ByteSource bytes)
    {
        string file = bytes.Location;
        if (bytes.Length == 0) throw new InvalidModelFileException(file, "empty file; expected a torch checkpoint (zip)");
        var head = bytes.Span(0, (int)Math.Min(bytes.Length, 512));
        if (ZipDirectory.LooksLikeZip(head)) return;
        bool tar = head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8);
        if (head[0] == 0x80 || tar)
            throw new InvalidModelFileException(file, "legacy (pre-1.6, non-zip) torch serialization is not supported; re-save it with torch >= 1.6: torch.save(torch.load(path), path)");
        throw new InvalidModelFileException(file, "not a torch checkpoint (expected a zip archive written by torch.save)");
    }

    ZipEntry FindDataPkl()
    {
        var candidates = _zip.Entries.Where(e => e.Name == "data.pkl" || (e.Name.EndsWith("/data.pkl", StringComparison.Ordinal) && e.Name.IndexOf('/') == e.Name.Length - 9)).ToList();
        if (candidates.Count == 0)
        {
            bool npz = _zip.Entries.Any(e => e.Name.EndsWith(".npy", StringComparison.Ordinal));
            throw new InvalidModelFileException(Location, npz ? "zip has no '<archive>/data.pkl'; it looks like a NumPy .npz archive" : "zip has no '<archive>/data.pkl'; not a torch checkpoint");
        }
        if (candidates.Count > 1)
            throw new InvalidModelFileException(Location, $"zip has {candidates.Count} data.pkl entries ({string.Join(", ", candidates.Select(c => c.Name).Take(5))}); expected one");
        return candidates[0];
    }

    void CheckByteOrder()
    {
        string name = ArchiveName.Length == 0 ? "byteorder" : ArchiveName + "/byteorder";
        if (!_zip.TryGet(name, out var e)) return;
        var text = System.Text.Encoding.ASCII.GetString(_zip.ReadAll(e, 64)).Trim();
        if (text != "little") throw new InvalidModelFileException(Location, $"'{name}' says '{PickleReader.Short(text)}'; only little-endian checkpoints are supported");
    }

    ZipEntry StorageEntry(string key)
    {
        string name = ArchiveName.Length == 0 ? $"data/{key}" : $"{ArchiveName}/data/{key}";
        return _zip.TryGet(name, out var e) ? e : throw new InvalidModelFileException(Location, $"storage '{key}' is referenced by data.pkl but zip entry '{name}' is missing");
    }

    /// <summary>Resolves <c>('storage', storage_type, key, location, numel)</c> to a storage backed by <c>data/&lt;key&gt;</c>.</summary>
    object? PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage")
            throw new PersistentLoadException($"persistent id {PickleReader.Describe(pid)} is not ('storage', type, key, location, numel)");
        if (t[1] is not PickleGlobal g || !PickleAllowList.TryGetStorageType(g, out DType? dtype))
            throw new PersistentLoadException($"persistent id names storage type {PickleReader.Describe(t[1])}, which is not a torch storage class");
        if (t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0)
            throw new PersistentLoadException("persistent id must hold a str key, a str location and a non-negative int numel");
        if (_storages.TryGetValue(key, out var existing)) return existing;
        long bytes = dtype is null ? numel : numel > long.MaxValue / 8 ? long.MaxValue : numel * DTypes.ByteSize(dtype.Value);
        string entryName = ArchiveName.Length == 0 ? $"data/{key}" : $"{ArchiveName}/data/{key}";
        if (!_zip.TryGet(entryName, out var entry))
            throw new PersistentLoadException($"storage '{key}' is referenced but zip entry '{entryName}' is missing");
        if (entry.UncompressedSize < bytes)
            throw new PersistentLoadException($"storage '{key}' ({g.Name}, {numel} elements = {bytes} bytes) is larger than its zip entry of {entry.UncompressedSize} bytes");
        var storage = new TorchStorageRef(g.Name, dtype, key, location, numel);
        _storages[key] = storage;
        return storage;
    }

    void Collect(object? node, string path, int depth, HashSet<object> onPath, List<TensorInfo> infos, ref int visits, int maxDepth)
    {
        if (++visits > MaxVisits) throw new InvalidModelFileException(Location, $"object tree has more than {MaxVisits} nodes (shared or cyclic references?)");
        if (depth > maxDepth) throw new InvalidModelFileException(Location, $"object tree is nested deeper than {maxDepth} levels at '{PickleReader.Short(path)}'");
        if (node is TorchTensorRef t)
        {
            AddTensor(path.Length == 0 ? RootTensorName : path, t, infos);
            return;
        }
        if (node is not PickleNode container || !onPath.Add(container)) return;
        switch (node)
        {
            case PickleDict d:
                foreach (var (k, v) in d.Items)
                    if (k is string or long) Collect(v, Join(path, Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture)!), depth + 1, onPath, infos, ref visits, maxDepth);
                break;
            case IReadOnlyList<object?> list:
                for (int i = 0; i < list.Count; i++) Collect(list[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1, onPath, infos, ref visits, maxDepth);
                break;
            case PickledObject o:
                foreach (var f in o.FieldNames.ToList())
                    if (o.TryGetField(f, out var v)) Collect(v, Join(path, f), depth + 1, onPath, infos, ref visits, maxDepth);
                if (o.DictItems is not null) Collect(o.DictItems, path, depth + 1, onPath, infos, ref visits, maxDepth);
                if (o.ListItems is not null) Collect(o.ListItems, path, depth + 1, onPath, infos, ref visits, maxDepth);
                break;
        }
        onPath.Remove(container);
    }

    static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    void AddTensor(string name, TorchTensorRef t, List<TensorInfo> infos)
    {
        if (_refs.ContainsKey(name)) return; // first path wins (a key containing '.' can collide with a nested path)
        if (t.Storage is not TorchStorageRef s)
            throw new InvalidModelFileException(Location, $"tensor '{name}': storage is {PickleReader.Describe(t.Storage)}, not a torch storage from the archive");
        if (s.DType is null)
            throw new InvalidModelFileException(Location, $"tensor '{name}': storage '{s.Key}' is an untyped storage, so its dtype is unknown");
        long maxIndex;
        try { maxIndex = StridedCopy.MaxIndex(t.Size, t.Stride, t.StorageOffset); }
        catch (OverflowException) { maxIndex = long.MaxValue; }
        if (maxIndex >= s.ElementCount)
            throw new InvalidModelFileException(Location, $"tensor '{name}': [{string.Join(", ", t.Size)}] with stride ({string.Join(", ", t.Stride)}) at offset {t.StorageOffset} reaches element {maxIndex}, beyond storage '{s.Key}' of {s.ElementCount} elements");
        long count;
        try { count = TensorViews.ElementCount(t.Size); }
        catch (OverflowException) { count = long.MaxValue; }
        if (count > Math.Max(s.ElementCount, 1) && maxIndex >= 0)
            throw new InvalidModelFileException(Location, $"tensor '{name}': {count} elements from a storage of {s.ElementCount} (an expanded view with stride 0); save it with .contiguous()");
        var info = new TensorInfo(name, s.DType.Value, t.Size, Location);
        _refs[name] = t;
        _infos[name] = info;
        infos.Add(info);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var s in _inflated.Values) s.Dispose();
            _inflated.Clear();
        }
        _bytes.Dispose();
    }
}
