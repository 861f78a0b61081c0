using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CircuitInsights.Formats;

public sealed partial class PickleReader
{
    void Step(byte op)
    {
        switch (op)
        {
            // ---- framing and protocol
            case 0x80: // PROTO
            {
                int proto = U8();
                if (proto > 5) throw Error($"unsupported pickle protocol {proto} (0–5 are supported)");
                break;
            }
            case 0x95: // FRAME
                if (BinaryPrimitives.ReadUInt64LittleEndian(Take(8)) > (ulong)(_data.Length - _pos)) throw Error("frame runs past the end of the stream (truncated pickle)");
                break;

            // ---- constants and numbers
            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break;
            case 0x89: Push(false); break;
            case (byte)'I':
            {
                string t = Line();
                if (t == "01") Push(true);
                else if (t == "00") Push(false);
                else Push(ParseTextInt(t, false));
                break;
            }
            case (byte)'L': Push(ParseTextInt(Line(), true)); break;
            case (byte)'J': Push((long)I32()); break;
            case (byte)'K': Push((long)U8()); break;
            case (byte)'M': Push((long)U16()); break;
            case 0x8a: Push(DecodeLong(Take(U8()))); break; // LONG1
            case 0x8b: // LONG4
            {
                int n = I32();
                if (n < 0 || n > _limits.MaxIntegerDigits) throw Error($"LONG4 of {n} bytes is negative or oversized");
                Push(DecodeLong(Take(n)));
                break;
            }
            case (byte)'F':
            {
                string t = Line().Trim();
                if (t.Length > 400 || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                    throw Error($"bad float literal '{Short(t)}'");
                Push(d);
                break;
            }
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;

            // ---- strings and bytes
            case (byte)'S': Push(DecodeQuotedString(Line())); break;
            case (byte)'T':
            {
                int n = I32();
                if (n < 0) throw Error("negative BINSTRING length");
                Push(Encoding.Latin1.GetString(Take(n)));
                break;
            }
            case (byte)'U': Push(Encoding.Latin1.GetString(Take(U8()))); break;
            case (byte)'V': Push(DecodeRawUnicodeEscape(Line())); break;
            case (byte)'X': Push(Utf8(Take(U32()))); break;
            case 0x8c: Push(Utf8(Take(U8()))); break;
            case 0x8d: Push(Utf8(Take(U64()))); break;
            case (byte)'B': Push(Take(U32()).ToArray()); break;
            case (byte)'C': Push(Take(U8()).ToArray()); break;
            case 0x8e: Push(Take(U64()).ToArray()); break;
            case 0x96: Push(Take(U64()).ToArray()); break; // BYTEARRAY8
            case 0x97: throw Error("out-of-band buffers (NEXT_BUFFER) are not supported");
            case 0x98: Top(); break; // READONLY_BUFFER: no-op on our immutable bytes

            // ---- tuples
            case (byte)')': Push(PickleTuple.Empty); break;
            case (byte)'t': Push(NewTuple(PopMark())); break;
            case 0x85: Push(NewTuple([Pop()])); break;
            case 0x86: { var b = Pop(); var a = Pop(); Push(NewTuple([a, b])); break; }
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(NewTuple([a, b, c])); break; }

            // ---- lists
            case (byte)']': Push(new PickleList()); break;
            case (byte)'l':
            {
                var items = PopMark();
                var list = new PickleList();
                foreach (var i in items) AppendTo(list, i);
                Push(list);
                break;
            }
            case (byte)'a': { var item = Pop(); AppendTo(Top(), item); break; }
            case (byte)'e':
            {
                var items = PopMark();
                var target = Top();
                foreach (var i in items) AppendTo(target, i);
                break;
            }

            // ---- dicts
            case (byte)'}': Push(new PickleDict(ordered: false)); break;
            case (byte)'d':
            {
                var items = PopMark();
                if (items.Length % 2 != 0) throw Error("DICT needs key/value pairs (odd number of items)");
                var dict = new PickleDict(ordered: false);
                for (int i = 0; i < items.Length; i += 2) SetItem(dict, items[i], items[i + 1]);
                Push(dict);
                break;
            }
            case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Top(), k, v); break; }
            case (byte)'u':
            {
                var items = PopMark();
                if (items.Length % 2 != 0) throw Error("SETITEMS needs key/value pairs (odd number of items)");
                var target = Top();
                for (int i = 0; i < items.Length; i += 2) SetItem(target, items[i], items[i + 1]);
                break;
            }

            // ---- sets
            case 0x8f: Push(new PickleSet(frozen: false)); break;
            case 0x90:
            {
                var items = PopMark();
                if (Top() is not PickleSet set || set.IsFrozen) throw Error($"ADDITEMS target is {Describe(Top())}, not a set");
                foreach (var i in items) AddToSet(set, i);
                break;
            }
            case 0x91:
            {
                var items = PopMark();
                var set = new PickleSet(frozen: true);
                foreach (var i in items) AddToSet(set, i);
                Push(set);
                break;
            }

            // ---- stack manipulation
            case (byte)'0': Pop(); break;
            case (byte)'2': Push(Top()); break;
            case (byte)'(':
                if (_marks.Count >= _limits.MaxMarkDepth) throw Error($"more than {_limits.MaxMarkDepth} nested MARKs");
                _marks.Add(_stack.Count);
                break;
            case (byte)'1': PopMark(); break;

            // ---- memo
            case (byte)'g': Push(MemoGet(ParseMemoKey(Line()))); break;
            case (byte)'h': Push(MemoGet(U8())); break;
            case (byte)'j': Push(MemoGet(U32())); break;
            case (byte)'p': MemoPut(ParseMemoKey(Line())); break;
            case (byte)'q': MemoPut(U8()); break;
            case (byte)'r': MemoPut(U32()); break;
            case 0x94: MemoPut(_memo.Count); break;

            // ---- globals and object construction (never executes code)
            case (byte)'c':
            {
                string module = Line(), name = Line();
                Push(MakeGlobal(module, name));
                break;
            }
            case 0x93:
            {
                var name = Pop();
                var module = Pop();
                if (module is not string m || name is not string n) throw Error("STACK_GLOBAL needs two strings (module, name)");
                Push(MakeGlobal(m, n));
                break;
            }
            case (byte)'R':
            {
                var args = Pop();
                var callable = Pop();
                if (args is not PickleTuple t) throw Error($"REDUCE arguments must be a tuple, found {Describe(args)}");
                Push(Call(callable, t, null));
                break;
            }
            case 0x81: // NEWOBJ cls.__new__(cls, *args)
            {
                var args = Pop();
                var cls = Pop();
                if (args is not PickleTuple t) throw Error($"NEWOBJ arguments must be a tuple, found {Describe(args)}");
                Push(Call(cls, t, null));
                break;
            }
            case 0x92: // NEWOBJ_EX
            {
                var kwargs = Pop();
                var args = Pop();
                var cls = Pop();
                if (args is not PickleTuple t || kwargs is not PickleDict kw) throw Error("NEWOBJ_EX needs a tuple of arguments and a dict of keyword arguments");
                Push(Call(cls, t, kw));
                break;
            }
            case (byte)'i': // INST module\nname\n with args from MARK
            {
                string module = Line(), name = Line();
                var args = NewTuple(PopMark());
                Push(Call(MakeGlobal(module, name), args, null));
                break;
            }
            case (byte)'o': // OBJ: MARK cls args... OBJ
            {
                var items = PopMark();
                if (items.Length == 0) throw Error("OBJ needs a class after the MARK");
                Charge(items.Length);
                Push(Call(items[0], new PickleTuple(items[1..]), null));
                break;
            }
            case (byte)'b':
            {
                var state = Pop();
                Build(Top(), state);
                break;
            }
            case 0x82 or 0x83 or 0x84:
                throw Error("extension registry codes (EXT1/EXT2/EXT4) are not supported");

            // ---- persistent ids (torch storages)
            case (byte)'P': Push(PersistentLoad(Line())); break;
            case (byte)'Q': Push(PersistentLoad(Pop())); break;

            default:
                throw Error("unknown opcode (not a pickle, or corrupt)");
        }
    }

    PickleTuple NewTuple(object?[] items)
    {
        Charge(items.Length);
        var t = new PickleTuple(items);
        CheckNesting(t);
        return t;
    }

    void AppendTo(object? target, object? item)
    {
        switch (target)
        {
            case PickleList list:
                list.Items.Add(item);
                list.Depth = Math.Max(list.Depth, PickleNode.DepthOf(item) + 1);
                CheckNesting(list);
                break;
            case PickledObject obj:
                obj.ListItems ??= new PickleList();
                AppendTo(obj.ListItems, item);
                break;
            default:
                throw Error($"APPEND target is {Describe(target)}, not a list");
        }
    }

    void SetItem(object? target, object? key, object? value)
    {
        switch (target)
        {
            case PickleDict dict:
                dict.Set(key, value);
                CheckNesting(dict);
                break;
            case PickledObject obj:
                obj.DictItems ??= new PickleDict(ordered: true);
                SetItem(obj.DictItems, key, value);
                break;
            default:
                throw Error($"SETITEM target is {Describe(target)}, not a dict");
        }
    }

    void AddToSet(PickleSet set, object? item)
    {
        set.Items.Add(item);
        set.Depth = Math.Max(set.Depth, PickleNode.DepthOf(item) + 1);
        CheckNesting(set);
    }

    void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickledObject obj: obj.State = state; break;
            case PickleDict dict: dict.State = state; break;
            case TorchTensorRef or PickleList or PickleSet: break; // attributes on containers/tensors carry no data we use
            default: throw Error($"BUILD target is {Describe(target)}, which has no attributes");
        }
        if (target is PickleNode node)
        {
            node.Depth = Math.Max(node.Depth, PickleNode.DepthOf(state) + 1);
            CheckNesting(node);
        }
    }

    long ParseMemoKey(string text)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long k)) throw Error($"bad memo key '{Short(text)}'");
        return k;
    }

    object? MemoGet(long key)
    {
        if (!_memo.TryGetValue(key, out var v)) throw Error($"memo key {key} was never stored");
        return v;
    }

    void MemoPut(long key)
    {
        var v = Top();
        if (!_memo.ContainsKey(key) && _memo.Count >= _limits.MaxMemoEntries) throw Error($"memo exceeds {_limits.MaxMemoEntries} entries");
        _memo[key] = v;
    }

    object? PersistentLoad(object? pid)
    {
        if (_persistentLoad is null) throw Error("persistent id found but this file type has no external storages");
        try
        {
            return _persistentLoad(pid);
        }
        catch (PersistentLoadException e)
        {
            throw Error(e.Message);
        }
    }

    PickleGlobal MakeGlobal(string module, string name)
    {
        if (module.Length == 0 || name.Length == 0 || module.Length > 256 || name.Length > 256) throw Error("GLOBAL needs a module and a name of 1–256 characters");
        var g = new PickleGlobal(PickleAllowList.CanonicalModule(module), name);
        if (!PickleAllowList.IsKnown(g)) _foreignGlobals.Add(g.FullName);
        return g;
    }

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"str '{Short(s)}'",
        long or System.Numerics.BigInteger => $"int {v}",
        double d => $"float {d.ToString(CultureInfo.InvariantCulture)}",
        bool b => b ? "True" : "False",
        byte[] b => $"bytes[{b.Length}]",
        _ => v.ToString() ?? v.GetType().Name,
    };
}
