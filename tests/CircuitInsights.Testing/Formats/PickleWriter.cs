using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace CircuitInsights.Testing;

/// <summary>A Python global (class or function) to emit with GLOBAL.</summary>
public sealed record PyGlobal(string Module, string Name);

/// <summary>A Python tuple.</summary>
public sealed record PyTuple(params object?[] Items);

/// <summary><c>collections.OrderedDict</c> (emitted as torch does: GLOBAL, EMPTY_TUPLE, REDUCE, SETITEMS), with optional BUILD state.</summary>
public sealed record PyOrderedDict(IReadOnlyList<KeyValuePair<string, object?>> Items, object? State = null);

/// <summary><c>callable(*args)</c> via REDUCE, followed by BUILD(state) when <paramref name="State"/> is not null.</summary>
public sealed record PyReduce(object? Callable, PyTuple Args, object? State = null);

/// <summary><c>cls.__new__(cls, *args)</c> via NEWOBJ then BUILD(state): what pickle emits for ordinary class instances.</summary>
public sealed record PyNewObj(PyGlobal Class, PyTuple Args, object? State = null);

/// <summary>A persistent id (BINPERSID), e.g. torch's <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
public sealed record PyPersistentId(object? Id);

/// <summary>Opcode bytes inserted verbatim (for crafting malformed pickles).</summary>
public sealed record PyRaw(byte[] Bytes);

/// <summary>
/// Emits pickles (protocol 2, plus protocol-3 BINBYTES for byte arrays) from C# values: null, bool, int/long, double,
/// string, byte[], <c>List&lt;object?&gt;</c> (list), <c>IDictionary</c> (dict, insertion order), and the Py* records.
/// Every container is memoized with BINPUT and a repeated reference becomes BINGET, like CPython's pickler.
/// </summary>
public sealed class PickleWriter
{
    readonly MemoryStream _out = new();
    readonly Dictionary<object, int> _memo = new(ReferenceEqualityComparer.Instance);

    public static byte[] Dumps(object? value, int protocol = 2)
    {
        var w = new PickleWriter();
        w._out.WriteByte(0x80);
        w._out.WriteByte((byte)protocol);
        w.Save(value);
        w._out.WriteByte((byte)'.');
        return w._out.ToArray();
    }

    void Op(char c) => _out.WriteByte((byte)c);
    void Op(byte b) => _out.WriteByte(b);

    void Save(object? v)
    {
        if (v is not null && _memo.TryGetValue(v, out int id) && v is not string)
        {
            Get(id);
            return;
        }
        switch (v)
        {
            case null: Op('N'); return;
            case bool b: Op(b ? (byte)0x88 : (byte)0x89); return;
            case int i: SaveInt(i); return;
            case long l: SaveInt(l); return;
            case double d:
            {
                Op('G');
                Span<byte> buf = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(buf, d);
                _out.Write(buf);
                return;
            }
            case float f: Save((double)f); return;
            case string s:
            {
                var bytes = Encoding.UTF8.GetBytes(s);
                Op('X');
                WriteU32(bytes.Length);
                _out.Write(bytes);
                return;
            }
            case byte[] bytes:
                Op('B');
                WriteU32(bytes.Length);
                _out.Write(bytes);
                return;
            case PyRaw raw: _out.Write(raw.Bytes); return;
            case PyGlobal g:
                Op('c');
                _out.Write(Encoding.ASCII.GetBytes($"{g.Module}\n{g.Name}\n"));
                Put(g);
                return;
            case PyTuple t:
                if (t.Items.Length == 0) { Op(')'); return; }
                if (t.Items.Length <= 3)
                {
                    foreach (var x in t.Items) Save(x);
                    Op((byte)(0x84 + t.Items.Length));
                }
                else
                {
                    Op('(');
                    foreach (var x in t.Items) Save(x);
                    Op('t');
                }
                Put(t);
                return;
            case PyPersistentId p:
                Save(p.Id);
                Op('Q');
                return;
            case PyReduce r:
                Save(r.Callable);
                Save(r.Args);
                Op('R');
                Put(r);
                if (r.State is not null) { Save(r.State); Op('b'); }
                return;
            case PyNewObj n:
                Save(n.Class);
                Save(n.Args);
                Op(0x81);
                Put(n);
                if (n.State is not null) { Save(n.State); Op('b'); }
                return;
            case PyOrderedDict od:
                Save(new PyGlobal("collections", "OrderedDict"));
                Op(')');
                Op('R');
                Put(od);
                if (od.Items.Count > 0)
                {
                    Op('(');
                    foreach (var (k, x) in od.Items) { Save(k); Save(x); }
                    Op('u');
                }
                if (od.State is not null) { Save(od.State); Op('b'); }
                return;
            case IDictionary dict:
                Op('}');
                Put(dict);
                if (dict.Count > 0)
                {
                    Op('(');
                    foreach (DictionaryEntry e in dict) { Save(e.Key); Save(e.Value); }
                    Op('u');
                }
                return;
            case IList list:
                Op(']');
                Put(list);
                if (list.Count > 0)
                {
                    Op('(');
                    foreach (var x in list) Save(x);
                    Op('e');
                }
                return;
            default:
                throw new ArgumentException($"cannot pickle {v.GetType().Name}");
        }
    }

    void SaveInt(long v)
    {
        if (v is >= 0 and <= 0xFF) { Op('K'); Op((byte)v); }
        else if (v is >= 0 and <= 0xFFFF) { Op('M'); Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); _out.Write(b); }
        else if (v is >= int.MinValue and <= int.MaxValue) { Op('J'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); _out.Write(b); }
        else
        {
            Op(0x8a);
            Op(8);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            _out.Write(b);
        }
    }

    void Put(object key)
    {
        int id = _memo.Count;
        _memo[key] = id;
        if (id < 256) { Op('q'); Op((byte)id); }
        else { Op('r'); WriteU32(id); }
    }

    void Get(int id)
    {
        if (id < 256) { Op('h'); Op((byte)id); }
        else { Op('j'); WriteU32(id); }
    }

    void WriteU32(int v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        _out.Write(b);
    }
}
