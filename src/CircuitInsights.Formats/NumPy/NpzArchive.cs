using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// A NumPy <c>.npz</c> archive (<c>np.savez</c> / <c>np.savez_compressed</c>): a zip whose entries <c>name.npy</c> are
/// <c>.npy</c> arrays; tensor names drop the <c>.npy</c> suffix (as <c>np.load</c> does), other entries are ignored.
/// Headers are read on open. Stored entries are served straight from the mapped archive (zero-copy when aligned);
/// deflated entries are inflated once on first load, bounded by their declared size, and kept until disposal.
/// Example: Gemma Scope <c>params.npz</c> with W_enc, W_dec, b_enc, b_dec, threshold (reference.md §1.4b).
/// </summary>
public sealed class NpzArchive : ITensorSource
{
    sealed record Member(ZipEntry Entry, NpyHeader Header, int DataOffset, TensorInfo Info);

    readonly ByteSource _bytes;
    readonly ZipDirectory _zip;
    readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    readonly Dictionary<string, ByteSource> _inflated = new(StringComparer.Ordinal);
    readonly object _lock = new();

    public string Location => _bytes.Location;
    public IReadOnlyList<TensorInfo> Tensors { get; }

    NpzArchive(ByteSource bytes)
    {
        _bytes = bytes;
        try
        {
            _zip = ZipDirectory.Read(bytes, ".npz archive");
            var infos = new List<TensorInfo>();
            foreach (var entry in _zip.Entries)
            {
                if (!entry.Name.EndsWith(".npy", StringComparison.Ordinal) || entry.Name.EndsWith('/')) continue;
                string name = entry.Name[..^4];
                var head = _zip.ReadPrefix(entry, NpyHeader.PrefixLength(_zip.ReadPrefix(entry, 12)));
                var header = NpyHeader.Parse(head, bytes.Location, out int dataOffset, $"entry '{entry.Name}'");
                if (entry.UncompressedSize - dataOffset != header.DataLength)
                    throw new InvalidModelFileException(bytes.Location, $"tensor '{name}': {header.Descr} ({string.Join(", ", header.Shape)}) needs {header.DataLength} data bytes but the entry holds {entry.UncompressedSize - dataOffset}");
                var info = new TensorInfo(name, header.DType, header.Shape, bytes.Location);
                if (_members.ContainsKey(name)) infos.RemoveAll(i => i.Name == name);
                _members[name] = new Member(entry, header, dataOffset, info);
                infos.Add(info);
            }
            Tensors = infos;
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    public static NpzArchive Open(string path) => new(ByteSource.MapFile(path));

    public static NpzArchive FromBytes(ReadOnlySpan<byte> bytes, string location) => new(ByteSource.FromBytes(bytes, location));

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        if (_members.TryGetValue(name, out var m)) { info = m.Info; return true; }
        info = null!;
        return false;
    }

    public TensorData Load(string name)
    {
        if (!_members.TryGetValue(name, out var m))
            throw new InvalidModelFileException(Location, $"tensor '{name}' not found (archive has: {string.Join(", ", _members.Keys.Take(20))})");
        if (m.Entry.IsStored)
            return NpyFile.Materialize(_bytes, _zip.StoredOffset(m.Entry) + m.DataOffset, m.Header, name);
        ByteSource data;
        lock (_lock)
        {
            _bytes.ThrowIfDisposed();
            if (!_inflated.TryGetValue(name, out data!))
            {
                byte[] raw = _zip.ReadAll(m.Entry, long.MaxValue);
                data = ByteSource.WrapPinned(raw, $"{Location}!{m.Entry.Name}");
                _inflated[name] = data;
            }
        }
        return NpyFile.Materialize(data, m.DataOffset, m.Header, name);
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
