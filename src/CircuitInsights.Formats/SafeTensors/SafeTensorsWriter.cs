using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// Builds a safetensors file (layout in <see cref="SafeTensorsHeader"/>): tensors are written in the order they were
/// added, the header lists <c>__metadata__</c> first and then the tensors in the same order, and is space-padded so the
/// data section starts on an 8-byte boundary. <see cref="Write(string)"/> is atomic (temp file + flush + rename).
/// </summary>
public sealed class SafeTensorsWriter
{
    sealed record Pending(string Name, DType DType, int[] Shape, long ByteLength, Action<Stream> WriteData);

    readonly List<Pending> _tensors = [];
    readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>String metadata written as <c>__metadata__</c> (omitted when empty).</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds fp32 values, stored as <paramref name="storeAs"/> (F32, or BF16/F16 rounded to nearest even).</summary>
    public SafeTensorsWriter Add(string name, ReadOnlyMemory<float> data, int[] shape, DType storeAs = DType.F32)
    {
        CheckCount(name, data.Length, shape);
        return storeAs switch
        {
            DType.F32 => AddPending(name, DType.F32, shape, s => s.Write(MemoryMarshal.AsBytes(data.Span))),
            DType.BF16 or DType.F16 => AddPending(name, storeAs, shape, s => WriteNarrowed(s, data, storeAs)),
            _ => throw new ArgumentException($"fp32 data can be stored as F32, BF16 or F16, not {storeAs}", nameof(storeAs)),
        };
    }

    /// <summary>Adds raw bf16/fp16 bit patterns.</summary>
    public SafeTensorsWriter Add16(string name, DType dtype, ReadOnlyMemory<ushort> bits, int[] shape)
    {
        if (dtype is not (DType.BF16 or DType.F16)) throw new ArgumentException($"16-bit data must be BF16 or F16, not {dtype}", nameof(dtype));
        CheckCount(name, bits.Length, shape);
        return AddPending(name, dtype, shape, s => s.Write(MemoryMarshal.AsBytes(bits.Span)));
    }

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<double> data, int[] shape)
    {
        CheckCount(name, data.Length, shape);
        return AddPending(name, DType.F64, shape, s => s.Write(MemoryMarshal.AsBytes(data.Span)));
    }

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<long> data, int[] shape)
    {
        CheckCount(name, data.Length, shape);
        return AddPending(name, DType.I64, shape, s => s.Write(MemoryMarshal.AsBytes(data.Span)));
    }

    public SafeTensorsWriter Add(string name, ReadOnlyMemory<int> data, int[] shape)
    {
        CheckCount(name, data.Length, shape);
        return AddPending(name, DType.I32, shape, s => s.Write(MemoryMarshal.AsBytes(data.Span)));
    }

    /// <summary>Adds little-endian bytes of any dtype (length must be numel × itemsize).</summary>
    public SafeTensorsWriter AddRaw(string name, DType dtype, ReadOnlyMemory<byte> bytes, int[] shape)
    {
        long expected = TensorViews.ElementCount(shape) * DTypes.ByteSize(dtype);
        if (bytes.Length != expected) throw new ArgumentException($"tensor '{name}': {bytes.Length} bytes for {dtype} [{string.Join(", ", shape)}] (expected {expected})");
        return AddPending(name, dtype, shape, s => s.Write(bytes.Span));
    }

    /// <summary>Adds a tensor as stored (F32, 16-bit or raw).</summary>
    public SafeTensorsWriter Add(TensorData tensor)
    {
        if (tensor.DType == DType.F32 && tensor.Raw.IsEmpty) return Add(tensor.Name, tensor.F32, tensor.Shape);
        if (tensor.DType is DType.BF16 or DType.F16 && tensor.Raw.IsEmpty) return Add16(tensor.Name, tensor.DType, tensor.Bits16, tensor.Shape);
        return AddRaw(tensor.Name, tensor.DType, tensor.Raw, tensor.Shape);
    }

    /// <summary>Writes the file atomically.</summary>
    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the file to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        byte[] header = BuildHeader();
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var t in _tensors)
        {
            long before = stream.CanSeek ? stream.Position : -1;
            t.WriteData(stream);
            if (before >= 0 && stream.Position - before != t.ByteLength)
                throw new InvalidOperationException($"tensor '{t.Name}': wrote {stream.Position - before} bytes, expected {t.ByteLength}");
        }
    }

    /// <summary>Writes <paramref name="tensors"/> (as stored) with optional metadata to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var w = new SafeTensorsWriter();
        if (metadata is not null) foreach (var (k, v) in metadata) w.Metadata[k] = v;
        foreach (var t in tensors) w.Add(t);
        w.Write(path);
    }

    byte[] BuildHeader()
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in Metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", SafeTensorsDType.Name(t.DType));
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.ByteLength;
            }
            json.WriteEndObject();
        }
        int pad = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < pad; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    SafeTensorsWriter AddPending(string name, DType dtype, int[] shape, Action<Stream> write)
    {
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        foreach (int d in shape) if (d < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension", nameof(shape));
        long bytes = TensorViews.ElementCount(shape) * DTypes.ByteSize(dtype);
        _tensors.Add(new Pending(name, dtype, (int[])shape.Clone(), bytes, write));
        return this;
    }

    static void CheckCount(string name, int length, int[] shape)
    {
        long n = TensorViews.ElementCount(shape);
        if (n != length) throw new ArgumentException($"tensor '{name}': {length} values for shape [{string.Join(", ", shape)}] ({n} expected)");
    }

    static void WriteNarrowed(Stream s, ReadOnlyMemory<float> data, DType dtype)
    {
        const int Chunk = 1 << 14;
        var bits = new ushort[Chunk];
        for (int i = 0; i < data.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, data.Length - i);
            var src = data.Span.Slice(i, n);
            if (dtype == DType.BF16) HalfPrecision.NarrowToBf16(src, bits);
            else HalfPrecision.NarrowToF16(src, bits);
            s.Write(MemoryMarshal.AsBytes(bits.AsSpan(0, n)));
        }
    }
}
