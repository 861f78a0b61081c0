using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// One memory-mapped <c>.safetensors</c> file (format: <see cref="SafeTensorsHeader"/>). The header is validated on
/// open; <see cref="Load"/> returns views straight into the mapping (no copy) for aligned data, which stay valid until
/// the file is disposed.
/// </summary>
public sealed class SafeTensorsFile : ITensorSource
{
    readonly ByteSource _bytes;
    readonly SafeTensorsHeader _header;
    readonly Dictionary<string, int> _index;

    public string Location => _bytes.Location;
    public IReadOnlyList<TensorInfo> Tensors { get; }
    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;
    /// <summary>The validated header entries (offsets relative to the data section).</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries => _header.Entries;

    SafeTensorsFile(ByteSource bytes)
    {
        _bytes = bytes;
        try
        {
            _header = SafeTensorsHeader.Read(bytes);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
        Tensors = _header.Entries.Select(e => new TensorInfo(e.Name, e.DType, e.Shape, bytes.Location)).ToArray();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _header.Entries.Count; i++) _index[_header.Entries[i].Name] = i;
    }

    /// <summary>Maps and validates <paramref name="path"/>.</summary>
    public static SafeTensorsFile Open(string path) => new(ByteSource.MapFile(path));

    /// <summary>Reads a safetensors image held in memory (copied once into pinned memory); <paramref name="location"/> names it in errors.</summary>
    public static SafeTensorsFile FromBytes(ReadOnlySpan<byte> bytes, string location) => new(ByteSource.FromBytes(bytes, location));

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        if (_index.TryGetValue(name, out int i)) { info = Tensors[i]; return true; }
        info = null!;
        return false;
    }

    public TensorData Load(string name)
    {
        if (!_index.TryGetValue(name, out int i))
            throw new InvalidModelFileException(Location, $"tensor '{name}' not found (file has {Tensors.Count} tensors{Suggest(name)})");
        var e = _header.Entries[i];
        return TensorViews.FromSource(_bytes, _header.DataStart + e.Begin, e.Name, e.DType, e.Shape);
    }

    string Suggest(string name)
    {
        var close = _index.Keys.Where(k => k.EndsWith(name, StringComparison.Ordinal) || name.EndsWith(k, StringComparison.Ordinal)).Take(3).ToList();
        return close.Count == 0 ? "" : "; similar: " + string.Join(", ", close.Select(k => $"'{k}'"));
    }

    public void Dispose() => _bytes.Dispose();
}
