using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (numpy <c>lib/format.py</c>, format versions 1.0, 2.0, 3.0):
/// magic <c>\x93NUMPY</c>, major and minor version bytes, header length (u16 LE for 1.0, u32 LE for 2.0/3.0), then a
/// Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded with spaces and
/// ended by <c>\n</c> (latin-1 for 1.0/2.0, UTF-8 for 3.0). The array data follows, C or Fortran order.
/// Supported descr: <c>&lt;f4 &lt;f2 &lt;f8 &lt;i8 &lt;i4 &lt;i2 |i1 |u1 |b1</c>; big-endian and other types are rejected.
/// </summary>
public sealed record NpyHeader(DType DType, string Descr, int[] Shape, bool FortranOrder, int Major, int Minor)
{
    /// <summary>Largest header accepted (numpy itself refuses headers over 10 000 bytes unless told otherwise).</summary>
    public const int MaxHeaderBytes = 1 << 20;

    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public long ElementCount => TensorViews.ElementCount(Shape);
    public long DataLength => ElementCount * DTypes.ByteSize(DType);

    /// <summary>
    /// How many leading bytes hold the whole header, judged from its first 12 bytes (capped at
    /// <see cref="MaxHeaderBytes"/> + 12; anything unreadable gives 12 and is reported by <see cref="Parse"/>).
    /// </summary>
    public static int PrefixLength(ReadOnlySpan<byte> first12)
    {
        if (first12.Length < 10 || !first12[..6].SequenceEqual(Magic)) return 12;
        if (first12[6] == 1) return 10 + BinaryPrimitives.ReadUInt16LittleEndian(first12.Slice(8));
        if (first12.Length < 12) return 12;
        return 12 + (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(first12.Slice(8)), (uint)MaxHeaderBytes);
    }

    /// <summary>Parses the header at the start of <paramref name="bytes"/>; <paramref name="dataOffset"/> receives where the data begins.</summary>
    public static NpyHeader Parse(ReadOnlySpan<byte> bytes, string file, out int dataOffset, string? what = null)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw Fail(file, what, bytes.Length == 0 ? "empty file; expected a .npy array" : "bad magic; not a NumPy .npy array (expected \\x93NUMPY)");
        int major = bytes[6], minor = bytes[7];
        int headerLen, prefix;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8));
            prefix = 10;
        }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw Fail(file, what, ".npy header is truncated");
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(8));
            if (n > MaxHeaderBytes) throw Fail(file, what, $".npy header length {n} exceeds the {MaxHeaderBytes}-byte limit");
            headerLen = (int)n;
            prefix = 12;
        }
        else
        {
            throw Fail(file, what, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        }
        if (bytes.Length - prefix < headerLen)
            throw Fail(file, what, $".npy header of {headerLen} bytes is truncated ({bytes.Length - prefix} available)");
        var raw = bytes.Slice(prefix, headerLen);
        string text;
        if (major == 3)
        {
            if (!System.Text.Unicode.Utf8.IsValid(raw)) throw Fail(file, what, ".npy 3.0 header is not valid UTF-8");
            text = Encoding.UTF8.GetString(raw);
        }
        else
        {
            text = Encoding.Latin1.GetString(raw);
        }
        dataOffset = prefix + headerLen;
        return FromDictLiteral(text, file, what, major, minor);
    }

    static NpyHeader FromDictLiteral(string text, string file, string? what, int major, int minor)
    {
        Dictionary<string, object?> dict;
        try
        {
            dict = new PyLiteralParser(text).ParseDict();
        }
        catch (FormatException e)
        {
            throw Fail(file, what, $".npy header is not a Python dict literal: {e.Message}");
        }
        if (!dict.TryGetValue("descr", out var descrObj))
            throw Fail(file, what, ".npy header has no 'descr' key");
        if (descrObj is not string descr)
            throw Fail(file, what, $".npy header key 'descr': structured dtypes are not supported (found {Describe(descrObj)})");
        if (!dict.TryGetValue("fortran_order", out var fo) || fo is not bool fortran)
            throw Fail(file, what, ".npy header key 'fortran_order': expected True or False");
        if (!dict.TryGetValue("shape", out var shapeObj) || shapeObj is not List<object?> dims)
            throw Fail(file, what, ".npy header key 'shape': expected a tuple of integers");
        var shape = new int[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] is not long d || d < 0 || d > int.MaxValue)
                throw Fail(file, what, $".npy header key 'shape': dimension {i} must be an integer in [0, {int.MaxValue}], found {Describe(dims[i])}");
            shape[i] = (int)d;
        }
        var dtype = ParseDescr(descr, file, what);
        if (TensorViews.ByteLengthOrMinusOne(dtype, Array.ConvertAll(shape, d => (long)d)) < 0)
            throw Fail(file, what, $".npy shape ({string.Join(", ", shape)}) is too large");
        return new NpyHeader(dtype, descr, shape, fortran, major, minor);
    }

    /// <summary>Maps a numpy type string to a <see cref="DType"/>.</summary>
    public static DType ParseDescr(string descr, string file, string? what = null)
    {
        if (descr.Length >= 2 && descr[0] == '>' && descr[1..] is not ("i1" or "u1" or "b1"))
            throw Fail(file, what, $".npy dtype '{descr}' is big-endian, which is not supported; re-save with array.astype('<{descr[1..]}')");
        string body = descr.Length >= 2 && descr[0] is '<' or '|' or '=' or '>' ? descr[1..] : descr;
        return body switch
        {
            "f4" => DType.F32,
            "f2" => DType.F16,
            "f8" => DType.F64,
            "i8" => DType.I64,
            "i4" => DType.I32,
            "i2" => DType.I16,
            "i1" => DType.I8,
            "u1" => DType.U8,
            "b1" => DType.Bool,
            "O" => throw Fail(file, what, $".npy dtype '{descr}' holds pickled Python objects, which are never loaded"),
            _ => throw Fail(file, what, $".npy dtype '{descr}' is not supported (supported: <f4, <f2, <f8, <i8, <i4, <i2, |i1, |u1, |b1)"),
        };
    }

    /// <summary>The numpy type string written for <paramref name="dtype"/>.</summary>
    public static string DescrOf(DType dtype) => dtype switch
    {
        DType.F32 => "<f4",
        DType.F16 => "<f2",
        DType.F64 => "<f8",
        DType.I64 => "<i8",
        DType.I32 => "<i4",
        DType.I16 => "<i2",
        DType.I8 => "|i1",
        DType.U8 => "|u1",
        DType.Bool => "|b1",
        _ => throw new ArgumentException($"numpy has no {dtype} dtype; widen it to F32 first", nameof(dtype)),
    };

    /// <summary>The complete header bytes (magic … '\n') for a C-order array, padded to a multiple of 64 bytes.</summary>
    public static byte[] Format(DType dtype, IReadOnlyList<int> shape)
    {
        string shapeText = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{DescrOf(dtype)}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int major = 1;
        int prefix = 10;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        if (total - prefix > ushort.MaxValue)
        {
            major = 2; prefix = 12;
            total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        }
        var result = new byte[total];
        Magic.CopyTo(result);
        result[6] = (byte)major;
        result[7] = 0;
        int headerLen = total - prefix;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)headerLen);
        else BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)headerLen);
        Encoding.ASCII.GetBytes(dict, result.AsSpan(prefix));
        result.AsSpan(prefix + dict.Length, headerLen - dict.Length - 1).Fill((byte)' ');
        result[^1] = (byte)'\n';
        return result;
    }

    static InvalidModelFileException Fail(string file, string? what, string message) =>
        new(file, what is null ? message : $"{what}: {message}");

    static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"'{(s.Length > 30 ? s[..30] + "…" : s)}'",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        List<object?> => "a tuple or list",
        _ => o.GetType().Name,
    };
}
