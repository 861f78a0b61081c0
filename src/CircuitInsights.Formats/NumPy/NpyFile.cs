using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// A single NumPy <c>.npy</c> array (format: <see cref="NpyHeader"/>) as a one-tensor source named after the file stem.
/// C-order data is mapped without copying; Fortran-order data is transposed into C order once on load.
/// </summary>
public sealed class NpyFile : ITensorSource
{
    readonly ByteSource _bytes;
    readonly NpyHeader _header;
    readonly long _dataOffset;
    readonly TensorInfo _info;

    public string Location => _bytes.Location;
    public IReadOnlyList<TensorInfo> Tensors { get; }
    public NpyHeader Header => _header;

    NpyFile(ByteSource bytes, string tensorName)
    {
        _bytes = bytes;
        try
        {
            (_header, _dataOffset) = ReadHeader(bytes, bytes.Location);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
        _info = new TensorInfo(tensorName, _header.DType, _header.Shape, bytes.Location);
        Tensors = [_info];
    }

    public static NpyFile Open(string path) => new(ByteSource.MapFile(path), Path.GetFileNameWithoutExtension(path));

    public static NpyFile FromBytes(ReadOnlySpan<byte> bytes, string location, string tensorName = "array") => new(ByteSource.FromBytes(bytes, location), tensorName);

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        bool found = name == _info.Name;
        info = found ? _info : null!;
        return found;
    }

    public TensorData Load(string name)
    {
        if (name != _info.Name) throw new InvalidModelFileException(Location, $"tensor '{name}' not found; a .npy file holds one array, named '{_info.Name}'");
        return Materialize(_bytes, _dataOffset, _header, name);
    }

    /// <summary>Parses the header at the start of <paramref name="bytes"/> and checks the data length exactly.</summary>
    internal static (NpyHeader Header, long DataOffset) ReadHeader(ByteSource bytes, string file)
    {
        var head = bytes.Span(0, (int)Math.Min(bytes.Length, NpyHeader.MaxHeaderBytes + 12), "npy header");
        var header = NpyHeader.Parse(head, file, out int dataOffset);
        long available = bytes.Length - dataOffset;
        if (available != header.DataLength)
            throw new InvalidModelFileException(file, $".npy array {header.Descr} ({string.Join(", ", header.Shape)}) needs {header.DataLength} data bytes but {available} follow the header ({(available < header.DataLength ? "truncated" : "trailing bytes")})");
        return (header, dataOffset);
    }

    /// <summary>The array as a C-order tensor: a view of <paramref name="bytes"/> for C order, a transposed copy for Fortran order.</summary>
    internal static TensorData Materialize(ByteSource bytes, long dataOffset, NpyHeader header, string name)
    {
        if (!header.FortranOrder || header.Shape.Length < 2)
            return TensorViews.FromSource(bytes, dataOffset, name, header.DType, header.Shape);
        // Fortran order: element (i0..in) lives at Σ i_d · Π_{e<d} shape_e.
        var shape = header.Shape;
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = 0; d < shape.Length; d++) { stride[d] = s; s *= shape[d]; }
        int itemSize = DTypes.ByteSize(header.DType);
        if (header.DataLength > int.MaxValue)
            throw new InvalidModelFileException(bytes.Location, $"tensor '{name}': Fortran-order arrays over 2 GiB are not supported; re-save in C order (np.ascontiguousarray)");
        var src = bytes.Span(dataOffset, (int)header.DataLength, $"tensor '{name}'");
        var dst = new byte[header.DataLength];
        StridedCopy.Gather(src, itemSize, shape, stride, 0, dst);
        return TensorViews.FromBytes(dst, name, header.DType, shape);
    }

    public void Dispose() => _bytes.Dispose();
}
