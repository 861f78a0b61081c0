using System.Globalization;
using System.Numerics;

namespace CircuitInsights.Formats;

/// <summary>
/// Navigation of an unpickled object tree by dotted paths (<c>cfg.d_in</c>, <c>state_dict.W_enc</c>, <c>layers.0</c>):
/// each segment is a dict key (str, or int written in decimal), an attribute of a <see cref="PickledObject"/>'s BUILD
/// state, or a list/tuple index. Typed getters throw <see cref="InvalidModelFileException"/> naming the file, path and
/// the expected versus found type.
/// </summary>
public static class PickleTree
{
    public static bool TryGet(object? root, string path, out object? value)
    {
        value = root;
        if (path.Length == 0) return true;
        foreach (var segment in path.Split('.'))
        {
            if (!TryChild(value, segment, out value)) return false;
        }
        return true;
    }

    /// <summary>One step down: dict key, object attribute or sequence index.</summary>
    public static bool TryChild(object? node, string segment, out object? child)
    {
        child = null;
        switch (node)
        {
            case PickleDict d:
                if (d.TryGetValue(segment, out child)) return true;
                return long.TryParse(segment, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long k) && d.TryGetValue(k, out child);
            case PickledObject o:
                if (o.TryGetField(segment, out child)) return true;
                return o.DictItems is not null && o.DictItems.TryGetValue(segment, out child);
            case IReadOnlyList<object?> list:
                if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < list.Count) { child = list[i]; return true; }
                return false;
            default:
                return false;
        }
    }

    public static object? Get(object? root, string path, string file) =>
        TryGet(root, path, out var v) ? v : throw new InvalidModelFileException(file, $"key '{path}' not found in the pickled object tree");

    public static long GetInt(object? root, string path, string file) => Get(root, path, file) switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => throw new InvalidModelFileException(file, $"key '{path}': expected an int that fits 64 bits, found {big}"),
        var other => throw Mismatch(file, path, "int", other),
    };

    public static double GetFloat(object? root, string path, string file) => Get(root, path, file) switch
    {
        double d => d,
        long l => l,
        var other => throw Mismatch(file, path, "float", other),
    };

    public static string GetString(object? root, string path, string file) => Get(root, path, file) switch
    {
        string s => s,
        var other => throw Mismatch(file, path, "str", other),
    };

    public static bool GetBool(object? root, string path, string file) => Get(root, path, file) switch
    {
        bool b => b,
        var other => throw Mismatch(file, path, "bool", other),
    };

    static InvalidModelFileException Mismatch(string file, string path, string expected, object? found) =>
        new(file, $"key '{path}': expected {expected}, found {PickleReader.Describe(found)}");
}
