using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace CircuitInsights.Formats;

/// <summary>
/// A pickle virtual machine (protocols 0–5, CPython <c>Lib/pickle.py</c> opcodes) that never executes code.
/// GLOBAL / STACK_GLOBAL only produce a <see cref="PickleGlobal"/> name; REDUCE, NEWOBJ, NEWOBJ_EX, INST and OBJ
/// evaluate a fixed allow-list of pure data constructors (<see cref="PickleAllowList"/>: OrderedDict, builtins
/// containers, <c>_codecs.encode</c>, torch tensor rebuilds, <c>torch.Size</c>, <c>torch.device</c>) and record every
/// other call as an inert <see cref="PickledObject"/>. Persistent ids (torch storages) go to a caller-supplied
/// loader. All resources are bounded by <see cref="PickleLimits"/>; every failure is an
/// <see cref="InvalidModelFileException"/> naming the file, stream and byte offset.
/// </summary>
public sealed partial class PickleReader
{
    readonly ReadOnlyMemory<byte> _data;
    readonly string _file;
    readonly string _stream;
    readonly PickleLimits _limits;
    readonly Func<object?, object?>? _persistentLoad;
    readonly List<object?> _stack = [];
    readonly List<int> _marks = [];
    readonly Dictionary<long, object?> _memo = [];
    readonly HashSet<string> _foreignGlobals = new(StringComparer.Ordinal);
    long _work;
    readonly long _workBudget;
    int _pos;
    int _opStart;
    byte _op;

    PickleReader(ReadOnlyMemory<byte> data, string file, string stream, Func<object?, object?>? persistentLoad, PickleLimits limits)
    {
        _data = data; _file = file; _stream = stream; _persistentLoad = persistentLoad; _limits = limits;
        _workBudget = (long)limits.WorkPerInputByte * data.Length + (1 << 20);
    }

    /// <summary>Names (<c>module.name</c>) of globals outside the allow-list that the last load referenced.</summary>
    public IReadOnlyCollection<string> ForeignGlobals => _foreignGlobals;

    /// <summary>Unpickles <paramref name="data"/>. <paramref name="file"/> and <paramref name="stream"/> (e.g. <c>archive/data.pkl</c>) name it in errors.</summary>
    public static object? Load(ReadOnlyMemory<byte> data, string file, string stream = "pickle", Func<object?, object?>? persistentLoad = null, PickleLimits? limits = null)
        => Load(data, file, stream, persistentLoad, limits, out _);

    /// <summary>Unpickles a plain pickle file (e.g. <c>.pkl</c>), with no persistent ids allowed.</summary>
    public static object? LoadFile(string path, PickleLimits? limits = null)
    {
        limits ??= PickleLimits.Default;
        using var bytes = ByteSource.MapFile(path);
        if (bytes.Length > limits.MaxInputBytes)
            throw new InvalidModelFileException(path, $"pickle of {bytes.Length} bytes exceeds the {limits.MaxInputBytes}-byte limit");
        if (bytes.Length == 0) throw new InvalidModelFileException(path, "empty file; expected a pickle");
        return Load(bytes.Span(0, (int)bytes.Length).ToArray(), path, "pickle", null, limits);
    }

    /// <summary>As <see cref="Load(ReadOnlyMemory{byte}, string, string, Func{object?, object?}?, PickleLimits?)"/>, also returning the non-allow-listed globals referenced.</summary>
    public static object? Load(ReadOnlyMemory<byte> data, string file, string stream, Func<object?, object?>? persistentLoad, PickleLimits? limits, out IReadOnlyCollection<string> foreignGlobals)
    {
        limits ??= PickleLimits.Default;
        if (data.Length > limits.MaxInputBytes)
            throw new InvalidModelFileException(file, $"{stream}: pickle of {data.Length} bytes exceeds the {limits.MaxInputBytes}-byte limit");
        var vm = new PickleReader(data, file, stream, persistentLoad, limits);
        var result = vm.Run();
        foreignGlobals = vm._foreignGlobals;
        return result;
    }

    internal InvalidModelFileException Error(string message) =>
        new(_file, $"{_stream}: pickle opcode {OpName(_op)} at byte {_opStart}: {message}");

    static string OpName(byte op) => op is >= 0x20 and < 0x7F ? $"'{(char)op}'" : $"0x{op:X2}";

    object? Run()
    {
        var span = _data.Span;
        while (true)
        {
            if (_pos >= span.Length)
            {
                _op = 0; _opStart = _pos;
                throw Error("stream ended before STOP (truncated pickle)");
            }
            _opStart = _pos;
            _op = span[_pos++];
            if (_op == (byte)'.')
            {
                if (_stack.Count == 0) throw Error("STOP with an empty stack");
                return _stack[^1];
            }
            Step(_op);
        }
    }

    // ---- stack helpers ------------------------------------------------------------------------------------------

    void Push(object? value)
    {
        if (_stack.Count >= _limits.MaxStackSize) throw Error($"stack exceeds {_limits.MaxStackSize} values");
        if (PickleNode.DepthOf(value) > _limits.MaxNesting) throw Error($"containers nested deeper than {_limits.MaxNesting} levels");
        _stack.Add(value);
    }

    object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks[^1])) throw Error("stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    object? Top()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks[^1])) throw Error("stack underflow");
        return _stack[^1];
    }

    /// <summary>Pops everything above the topmost MARK and the mark itself.</summary>
    object?[] PopMark()
    {
        if (_marks.Count == 0) throw Error("no MARK on the stack");
        int m = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(m, _stack.Count - m).ToArray();
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    void Charge(long n)
    {
        _work += n;
        if (_work > _workBudget) throw Error("pickle does too much copying for its size (work limit exceeded)");
    }

    void CheckNesting(PickleNode node)
    {
        if (node.Depth > _limits.MaxNesting) throw Error($"containers nested deeper than {_limits.MaxNesting} levels");
    }

    // ---- input helpers ------------------------------------------------------------------------------------------

    ReadOnlySpan<byte> Take(long n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Error($"needs {n} bytes but only {_data.Length - _pos} remain (truncated pickle)");
        var s = _data.Span.Slice(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    byte U8() => Take(1)[0];
    int U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    long U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    long U64()
    {
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        if (v > int.MaxValue) throw Error($"length {v} exceeds the remaining input (truncated or corrupt pickle)");
        return (long)v;
    }

    /// <summary>Reads up to and including '\n' and returns the line without it (latin-1).</summary>
    string Line()
    {
        var rest = _data.Span.Slice(_pos);
        int nl = rest.IndexOf((byte)'\n');
        if (nl < 0) throw Error("text argument is not terminated by a newline (truncated pickle)");
        _pos += nl + 1;
        return Encoding.Latin1.GetString(rest.Slice(0, nl));
    }

    string Utf8(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw Error("string is not valid UTF-8");
        return Encoding.UTF8.GetString(bytes);
    }

    object ParseTextInt(string text, bool isLong)
    {
        string t = text.Trim();
        if (isLong && t.EndsWith('L')) t = t[..^1];
        if (t.Length == 0 || t.Length > _limits.MaxIntegerDigits) throw Error($"bad or oversized integer literal ({t.Length} characters)");
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
        if (BigInteger.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)) return big;
        throw Error($"bad integer literal '{Short(t)}'");
    }

    object DecodeLong(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0L;
        if (bytes.Length <= 8)
        {
            Span<byte> buf = stackalloc byte[8];
            byte fill = (bytes[^1] & 0x80) != 0 ? (byte)0xFF : (byte)0;
            buf.Fill(fill);
            bytes.CopyTo(buf);
            return BinaryPrimitives.ReadInt64LittleEndian(buf);
        }
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    internal static string Short(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
