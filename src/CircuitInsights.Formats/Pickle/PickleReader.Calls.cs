using System.Text;

namespace CircuitInsights.Formats;

public sealed partial class PickleReader
{
    /// <summary>REDUCE / NEWOBJ / INST / OBJ: evaluates an allow-listed data constructor, else records an inert object.</summary>
    object? Call(object? callable, PickleTuple args, PickleDict? kwargs)
    {
        if (callable is not PickleGlobal g)
        {
            if (callable is PickledObject)
            {
                Charge(args.Count);
                return Record("builtins", "<call>", new PickleTuple([callable, .. args]), kwargs);
            }
            throw Error($"cannot call {Describe(callable)}");
        }
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                return ToDict(args, ordered: true);
            case "builtins.dict":
                return ToDict(args, ordered: false);
            case "builtins.list":
            {
                var list = new PickleList();
                if (args.Count > 0) foreach (var i in Iterate(args[0])) AppendTo(list, i);
                return list;
            }
            case "builtins.tuple":
                return NewTuple(args.Count > 0 ? Iterate(args[0]).ToArray() : []);
            case "builtins.set" or "builtins.frozenset":
            {
                var set = new PickleSet(frozen: g.Name == "frozenset");
                if (args.Count > 0) foreach (var i in Iterate(args[0])) AddToSet(set, i);
                return set;
            }
            case "builtins.bytes" or "builtins.bytearray":
                return ToBytes(args);
            case "_codecs.encode":
                if (args.Count >= 1 && args[0] is string text) return Encode(text, args.Count > 1 ? args[1] as string : "utf-8");
                throw Error("_codecs.encode needs a str argument");
            case "copyreg._reconstructor":
                if (args.Count >= 1 && args[0] is PickleGlobal cls) return Record(cls.Module, cls.Name, new PickleTuple(args.Skip(2).ToArray()), null);
                throw Error("copyreg._reconstructor needs a class argument");
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return RebuildTensor(args, g.Name);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (args.Count >= 1) return args[0];
                throw Error($"{g.FullName} needs the tensor argument");
            case "torch.Size":
                return NewTuple(args.Count > 0 ? Iterate(args[0]).ToArray() : []);
            case "torch.device":
                return args.Count switch
                {
                    1 when args[0] is string d => d,
                    2 when args[0] is string d && args[1] is long i => $"{d}:{i}",
                    _ => Record(g.Module, g.Name, args, kwargs),
                };
            default:
                return Record(g.Module, g.Name, args, kwargs);
        }
    }

    PickledObject Record(string module, string name, PickleTuple args, PickleDict? kwargs)
    {
        var o = new PickledObject(module, name, args, kwargs) { Depth = Math.Max(args.Depth, PickleNode.DepthOf(kwargs)) + 1 };
        CheckNesting(o);
        return o;
    }

    PickleDict ToDict(PickleTuple args, bool ordered)
    {
        var dict = new PickleDict(ordered);
        if (args.Count == 0 || args[0] is null) return dict;
        if (args[0] is PickleDict source)
        {
            Charge(source.Count);
            foreach (var (k, v) in source.Items) SetItem(dict, k, v);
            return dict;
        }
        foreach (var pair in Iterate(args[0]))
        {
            if (pair is not IReadOnlyList<object?> { Count: 2 } kv) throw Error($"dict items must be (key, value) pairs, found {Describe(pair)}");
            SetItem(dict, kv[0], kv[1]);
        }
        return dict;
    }

    IEnumerable<object?> Iterate(object? value)
    {
        switch (value)
        {
            case PickleTuple t: Charge(t.Count); return t;
            case PickleList l: Charge(l.Count); return l.Items.ToArray();
            case PickleSet s: Charge(s.Items.Count); return s.Items.ToArray();
            case PickleDict d: Charge(d.Count); return d.Items.Select(p => p.Key).ToArray();
            case byte[] b: Charge(b.Length); return b.Select(x => (object?)(long)x).ToArray();
            case string s: Charge(s.Length); return s.Select(c => (object?)c.ToString()).ToArray();
            default: throw Error($"{Describe(value)} is not iterable");
        }
    }

    byte[] ToBytes(PickleTuple args)
    {
        if (args.Count == 0) return [];
        switch (args[0])
        {
            case byte[] b: return b;
            case string s: return Encode(s, args.Count > 1 ? args[1] as string : null);
            default:
                var items = Iterate(args[0]).ToArray();
                var result = new byte[items.Length];
                for (int i = 0; i < items.Length; i++)
                    result[i] = items[i] is long v && v is >= 0 and <= 255 ? (byte)v : throw Error("bytes() items must be integers in 0..255");
                return result;
        }
    }

    byte[] Encode(string text, string? encoding)
    {
        Charge(text.Length);
        switch (encoding?.ToLowerInvariant().Replace('_', '-'))
        {
            case "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1":
                foreach (char c in text) if (c > 0xFF) throw Error("latin-1 text contains a character above U+00FF");
                return Encoding.Latin1.GetBytes(text);
            case "utf-8" or "utf8" or null:
                return Encoding.UTF8.GetBytes(text);
            case "ascii":
                foreach (char c in text) if (c > 0x7F) throw Error("ascii text contains a non-ASCII character");
                return Encoding.ASCII.GetBytes(text);
            default:
                throw Error($"unsupported text encoding '{Short(encoding ?? "")}' in _codecs.encode");
        }
    }

    TorchTensorRef RebuildTensor(PickleTuple args, string fn)
    {
        if (args.Count < 4) throw Error($"torch._utils.{fn} needs (storage, storage_offset, size, stride, ...), got {args.Count} arguments");
        if (args[1] is not long offset || offset < 0) throw Error($"torch._utils.{fn}: storage_offset must be a non-negative int, found {Describe(args[1])}");
        var size = ReadInts(args[2], "size", fn);
        var stride = ReadInts(args[3], "stride", fn);
        if (stride.Length != size.Length) throw Error($"torch._utils.{fn}: size has {size.Length} dimensions but stride has {stride.Length}");
        var dims = new int[size.Length];
        for (int i = 0; i < size.Length; i++)
        {
            if (size[i] > int.MaxValue) throw Error($"torch._utils.{fn}: dimension {i} of size is {size[i]}, too large");
            dims[i] = (int)size[i];
        }
        bool requiresGrad = args.Count > 4 && args[4] is true;
        return new TorchTensorRef(args[0], offset, dims, stride, requiresGrad);
    }

    long[] ReadInts(object? value, string what, string fn)
    {
        if (value is long single) value = new PickleTuple([single]);
        if (value is not PickleTuple t) throw Error($"torch._utils.{fn}: {what} must be a tuple of ints, found {Describe(value)}");
        if (t.Count > 64) throw Error($"torch._utils.{fn}: {what} has {t.Count} dimensions (more than 64)");
        var result = new long[t.Count];
        for (int i = 0; i < t.Count; i++)
        {
            if (t[i] is not long v || v < 0) throw Error($"torch._utils.{fn}: {what}[{i}] must be a non-negative int, found {Describe(t[i])}");
            result[i] = v;
        }
        return result;
    }
}
