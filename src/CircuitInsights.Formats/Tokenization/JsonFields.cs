using System.Text;
using System.Text.Json;

namespace CircuitInsights.Formats.Tokenization;

/// <summary>Typed reads of JSON object fields that fail with an <see cref="InvalidModelFileException"/> naming the file, the key
/// path and what was expected versus found; plus parsing of a whole JSON file with the same error style.</summary>
internal static class JsonFields
{
    /// <summary>Files larger than this are refused rather than read into memory (the largest real tokenizer.json files are
    /// about 35 MB).</summary>
    public const long MaxFileBytes = 512L << 20;

    public static byte[] ReadFileBytes(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) throw new InvalidModelFileException(file, "file not found");
            if (info.Length > MaxFileBytes)
                throw new InvalidModelFileException(file, $"file is {info.Length} bytes, expected at most {MaxFileBytes} for a tokenizer file");
            var bytes = File.ReadAllBytes(file);
            return bytes.AsSpan().StartsWith(Utf8Bom) ? bytes[3..] : bytes;
        }
        catch (IOException e) { throw new InvalidModelFileException(file, $"cannot read file ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidModelFileException(file, $"cannot read file ({e.Message})", e); }
    }

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? -1 : read;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Parses a JSON document whose root must be an object.</summary>
    public static JsonDocument ParseObject(byte[] utf8, string file)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and only fails when a string is read; check up front
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
            throw new InvalidModelFileException(file, $"not valid UTF-8 text (first bad byte at offset {FirstInvalidUtf8(utf8)})");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException e)
        {
            throw new InvalidModelFileException(file, $"malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: " +
                $"expected a JSON object ({FirstLine(e.Message)})", e);
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new InvalidModelFileException(file, $"expected a JSON object at the top level, found {Kind(kind)}");
        }
        return doc;
    }

    public static JsonDocument ParseObjectFile(string file) => ParseObject(ReadFileBytes(file), file);

    public static string RequiredString(JsonElement obj, string name, string file, string path) =>
        OptionalString(obj, name, file, path) ?? throw Missing(file, path, name, "a string");

    public static string? OptionalString(JsonElement obj, string name, string file, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Wrong(file, path, name, "a string", v);
    }

    public static int? OptionalInt(JsonElement obj, string name, string file, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Wrong(file, path, name, "a 32-bit integer", v);
    }

    public static bool? OptionalBool(JsonElement obj, string name, string file, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(file, path, name, "true or false", v),
        };
    }

    public static JsonElement RequiredArray(JsonElement obj, string name, string file, string path) =>
        OptionalOf(obj, name, JsonValueKind.Array, file, path) ?? throw Missing(file, path, name, "an array");

    public static JsonElement RequiredObject(JsonElement obj, string name, string file, string path) =>
        OptionalOf(obj, name, JsonValueKind.Object, file, path) ?? throw Missing(file, path, name, "an object");

    public static JsonElement? OptionalObject(JsonElement obj, string name, string file, string path) =>
        OptionalOf(obj, name, JsonValueKind.Object, file, path);

    private static JsonElement? OptionalOf(JsonElement obj, string name, JsonValueKind kind, string file, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == kind ? v : throw Wrong(file, path, name, Kind(kind), v);
    }

    public static InvalidModelFileException Wrong(string file, string path, string name, string expected, JsonElement found) =>
        new(file, $"{Join(path, name)}: expected {expected}, found {Describe(found)}");

    private static InvalidModelFileException Missing(string file, string path, string name, string expected) =>
        new(file, $"{Join(path, name)}: expected {expected}, found nothing (key missing or null)");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(v.GetString()!)}\"",
        JsonValueKind.Number => $"the number {v.GetRawText()}",
        _ => Kind(v.ValueKind),
    };

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return i < 0 ? s : s[..i];
    }

    /// <summary>Writes <paramref name="value"/> as a JSON string the way Python's <c>json.dumps(ensure_ascii=False)</c> and Rust's
    /// serde_json do: <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>, other control characters as
    /// <c>\u00xx</c>, everything else raw.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
