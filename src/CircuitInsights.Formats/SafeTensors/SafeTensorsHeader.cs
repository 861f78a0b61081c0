using System.Buffers.Binary;
using System.Text.Json;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>One tensor entry of a safetensors header; offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorsEntry(string Name, DType DType, int[] Shape, long Begin, long End);

/// <summary>
/// The parsed and validated header of a safetensors file. Layout (reference.md §1; huggingface/safetensors):
/// <c>u64 little-endian N</c>, then <c>N</c> bytes of UTF-8 JSON
/// <c>{"__metadata__": {str: str}?, name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}</c>
/// (usually space-padded to a multiple of 8), then the data section; offsets are relative to byte <c>8 + N</c>.
/// Validation: N ≤ file size − 8 and ≤ 100 MB; a JSON object; known dtypes; non-negative shapes;
/// <c>begin ≤ end ≤ data length</c>; <c>end − begin = numel · itemsize</c>; no two tensors overlap; unique names.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Largest header accepted (the same limit as the reference Rust implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public IReadOnlyList<SafeTensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Byte offset of the data section in the file (8 + header length).</summary>
    public long DataStart { get; }

    SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Entries = entries; Metadata = metadata; DataStart = dataStart;
    }

    /// <summary>Reads the 8-byte length prefix; <paramref name="fileLength"/> is the total file size.</summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> first8, long fileLength, string file)
    {
        if (fileLength < 8)
            throw new InvalidModelFileException(file, fileLength == 0
                ? "empty file; expected a safetensors file (8-byte header length, JSON header, data)"
                : $"file is {fileLength} bytes, too short for the 8-byte safetensors header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (n > MaxHeaderBytes)
            throw new InvalidModelFileException(file, $"safetensors header length {n} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file, or corrupt)");
        if ((long)n > fileLength - 8)
            throw new InvalidModelFileException(file, $"safetensors header length {n} exceeds the file size {fileLength} − 8 (truncated or not a safetensors file)");
        if (n < 2)
            throw new InvalidModelFileException(file, $"safetensors header length {n} is too small for a JSON object");
        return (long)n;
    }

    /// <summary>Parses and validates the JSON header bytes (all N of them, padding included); <paramref name="dataLength"/> is
    /// the size of the data section, which starts at byte 8 + N.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string file)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new InvalidModelFileException(file, "safetensors header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!JsonDocument.TryParseValue(ref reader, out JsonDocument? parsed) || parsed is null)
                throw new InvalidModelFileException(file, "safetensors header is empty; expected a JSON object");
            doc = parsed;
            // Anything after the JSON value must be padding whitespace.
            for (int i = (int)reader.BytesConsumed; i < json.Length; i++)
                if (json[i] is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0))
                    throw new InvalidModelFileException(file, $"safetensors header has unexpected byte 0x{json[i]:X2} after the JSON object at header offset {i}");
        }
        catch (JsonException e)
        {
            throw new InvalidModelFileException(file, $"safetensors header is not valid UTF-8 JSON: {OneLine(e.Message)}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidModelFileException(file, $"safetensors header must be a JSON object, found {root.ValueKind}");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var prop in root.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (sawMetadata) throw new InvalidModelFileException(file, "safetensors header has two '__metadata__' entries");
                    sawMetadata = true;
                    ParseMetadata(prop.Value, metadata, file);
                    continue;
                }
                if (!names.Add(prop.Name))
                    throw new InvalidModelFileException(file, $"tensor '{prop.Name}' appears twice in the safetensors header");
                entries.Add(ParseEntry(prop.Name, prop.Value, dataLength, file));
            }
            CheckOverlaps(entries, file);
            return new SafeTensorsHeader(entries, metadata, 8 + json.Length);
        }
    }

    /// <summary>Reads and validates the header of a whole file held in <paramref name="source"/>.</summary>
    internal static SafeTensorsHeader Read(ByteSource source)
    {
        string file = source.Location;
        long n = ReadHeaderLength(source.Length >= 8 ? source.Span(0, 8) : default, source.Length, file);
        return Parse(source.Span(8, (int)n, "safetensors header"), source.Length - 8 - n, file);
    }

    static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidModelFileException(file, $"safetensors '__metadata__' must be an object of strings, found {value.ValueKind}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new InvalidModelFileException(file, $"safetensors '__metadata__' key '{m.Name}' must be a string, found {m.Value.ValueKind}");
            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    static SafeTensorsEntry ParseEntry(string name, JsonElement value, long dataLength, string file)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidModelFileException(file, $"{where}: header entry must be an object with dtype, shape and data_offsets, found {value.ValueKind}");
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new InvalidModelFileException(file, $"{where}: missing or non-string 'dtype'");
        string dtypeText = dtypeEl.GetString()!;
        if (!SafeTensorsDType.TryParse(dtypeText, out DType dtype))
            throw new InvalidModelFileException(file, $"{where}: unsupported dtype '{dtypeText}' (supported: {string.Join(", ", SafeTensorsDType.Supported)})");

        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new InvalidModelFileException(file, $"{where}: missing or non-array 'shape'");
        var shape = new int[shapeEl.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
                throw new InvalidModelFileException(file, $"{where}: shape entry {k} must be an integer in [0, {int.MaxValue}], found {Describe(d)}");
            shape[k++] = (int)dim;
        }

        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw new InvalidModelFileException(file, $"{where}: 'data_offsets' must be an array [begin, end]");
        long begin = ReadOffset(offEl[0], where, "begin", file);
        long end = ReadOffset(offEl[1], where, "end", file);
        if (end < begin)
            throw new InvalidModelFileException(file, $"{where}: data_offsets end {end} is before begin {begin}");
        if (end > dataLength)
            throw new InvalidModelFileException(file, $"{where}: data_offsets [{begin}, {end}] exceed the data section of {dataLength} bytes (truncated file?)");

        long expected = TensorViews.ByteLengthOrMinusOne(dtype, Array.ConvertAll(shape, d => (long)d));
        if (expected < 0 || expected != end - begin)
            throw new InvalidModelFileException(file, $"{where}: {dtypeText} [{string.Join(", ", shape)}] needs {(expected < 0 ? "more than 2^63" : expected.ToString())} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    static long ReadOffset(JsonElement e, string where, string which, string file)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
            throw new InvalidModelFileException(file, $"{where}: data_offsets {which} must be a non-negative integer, found {Describe(e)}");
        return v;
    }

    static void CheckOverlaps(List<SafeTensorsEntry> entries, string file)
    {
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new InvalidModelFileException(file, $"tensor '{sorted[i].Name}' (bytes {sorted[i].Begin}..{sorted[i].End}) overlaps tensor '{sorted[i - 1].Name}' (bytes {sorted[i - 1].Begin}..{sorted[i - 1].End})");
        }
    }

    static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => Truncate(e.GetRawText()),
        _ => e.ValueKind.ToString(),
    };

    static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    internal static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
