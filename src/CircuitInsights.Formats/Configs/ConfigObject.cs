using System.Globalization;

namespace CircuitInsights.Formats;

/// <summary>
/// An object (mapping) of a JSON or YAML config with typed getters. Every getter names the file, the dotted key path
/// (e.g. <c>rope_scaling.factor</c>), the expected type and what was found in its <see cref="InvalidModelFileException"/>
/// (plus the line for YAML). <c>GetX</c> requires the key; <c>GetOptionalX</c> returns null when the key is missing or
/// null; <c>GetX(key, default)</c> returns the default in that case.
/// </summary>
public class ConfigObject
{
    readonly bool _showLines;

    /// <summary>The config file (used in error messages).</summary>
    public string File { get; }
    /// <summary>Dotted path of this object inside the file ("" for the root).</summary>
    public string KeyPath { get; }
    public ConfigNode Node { get; }

    internal ConfigObject(string file, string keyPath, ConfigNode node, bool showLines)
    {
        if (node.Kind != ConfigValueKind.Object) throw new ArgumentException("node must be an object", nameof(node));
        File = file; KeyPath = keyPath; Node = node; _showLines = showLines;
    }

    public IEnumerable<string> Keys => Node.Properties.Select(p => p.Key);
    public bool Has(string key) => Node.TryGet(key, out _);

    /// <summary>The raw node at <paramref name="key"/>, or null when absent.</summary>
    public ConfigNode? GetNode(string key) => Node.TryGet(key, out var n) ? n : null;

    // ---- integers
    public int GetInt(string key) => ToInt(Required(key, "an integer"), key);
    public int? GetOptionalInt(string key) => Optional(key) is { } n ? ToInt(n, key) : null;
    public int GetInt(string key, int defaultValue) => GetOptionalInt(key) ?? defaultValue;
    public long GetLong(string key) => ToLong(Required(key, "an integer"), key);
    public long? GetOptionalLong(string key) => Optional(key) is { } n ? ToLong(n, key) : null;

    // ---- floats
    public double GetDouble(string key) => ToDouble(Required(key, "a number"), key);
    public double? GetOptionalDouble(string key) => Optional(key) is { } n ? ToDouble(n, key) : null;
    public double GetDouble(string key, double defaultValue) => GetOptionalDouble(key) ?? defaultValue;
    public float GetFloat(string key) => (float)GetDouble(key);
    public float? GetOptionalFloat(string key) => (float?)GetOptionalDouble(key);
    public float GetFloat(string key, float defaultValue) => GetOptionalFloat(key) ?? defaultValue;

    // ---- strings and bools
    public string GetString(string key) => ToStringValue(Required(key, "a string"), key);
    public string? GetOptionalString(string key) => Optional(key) is { } n ? ToStringValue(n, key) : null;
    public string GetString(string key, string defaultValue) => GetOptionalString(key) ?? defaultValue;
    public bool GetBool(string key) => ToBool(Required(key, "a bool"), key);
    public bool? GetOptionalBool(string key) => Optional(key) is { } n ? ToBool(n, key) : null;
    public bool GetBool(string key, bool defaultValue) => GetOptionalBool(key) ?? defaultValue;

    // ---- nested objects and lists
    public ConfigObject GetObject(string key) => ToObject(Required(key, "an object"), key);
    public ConfigObject? GetOptionalObject(string key) => Optional(key) is { } n ? ToObject(n, key) : null;

    /// <summary>A list of integers; a single integer is accepted as a one-element list (e.g. HF <c>eos_token_id</c>).</summary>
    public IReadOnlyList<int> GetIntList(string key) => ToList(Required(key, "a list of integers"), key, "an integer", (n, k) => ToInt(n, k));
    public IReadOnlyList<int>? GetOptionalIntList(string key) => Optional(key) is { } n ? ToList(n, key, "an integer", (x, k) => ToInt(x, k)) : null;
    public IReadOnlyList<double> GetDoubleList(string key) => ToList(Required(key, "a list of numbers"), key, "a number", (n, k) => ToDouble(n, k));
    public IReadOnlyList<string> GetStringList(string key) => ToList(Required(key, "a list of strings"), key, "a string", (n, k) => ToStringValue(n, k));
    public IReadOnlyList<string>? GetOptionalStringList(string key) => Optional(key) is { } n ? ToList(n, key, "a string", (x, k) => ToStringValue(x, k)) : null;
    public IReadOnlyList<ConfigObject> GetObjectList(string key) => ToList(Required(key, "a list of objects"), key, "an object", (n, k) => ToObject(n, k));

    // ---- conversions

    string Path(string key) => KeyPath.Length == 0 ? key : KeyPath + "." + key;

    string At(ConfigNode n) => _showLines && n.Line > 0 ? $" (line {n.Line})" : "";

    ConfigNode Required(string key, string expected)
    {
        if (!Node.TryGet(key, out var n))
            throw new InvalidModelFileException(File, $"missing required key '{Path(key)}' (expected {expected}){At(Node)}");
        return n;
    }

    ConfigNode? Optional(string key) => Node.TryGet(key, out var n) && n.Kind != ConfigValueKind.Null ? n : null;

    InvalidModelFileException Mismatch(ConfigNode n, string key, string expected) =>
        new(File, $"key '{Path(key)}': expected {expected}, found {n.Describe()}{At(n)}");

    long ToLong(ConfigNode n, string key)
    {
        if (n.Kind == ConfigValueKind.Number && TryParseInteger(n.Text!, out long v)) return v;
        throw Mismatch(n, key, "an integer");
    }

    int ToInt(ConfigNode n, string key)
    {
        long v = ToLong(n, key);
        if (v is < int.MinValue or > int.MaxValue) throw Mismatch(n, key, "a 32-bit integer");
        return (int)v;
    }

    double ToDouble(ConfigNode n, string key)
    {
        if (n.Kind == ConfigValueKind.Number && TryParseNumber(n.Text!, out double d)) return d;
        throw Mismatch(n, key, "a number");
    }

    string ToStringValue(ConfigNode n, string key) => n.Kind == ConfigValueKind.String ? n.Text! : throw Mismatch(n, key, "a string");

    bool ToBool(ConfigNode n, string key) => n.Kind == ConfigValueKind.Bool ? n.Text == "true" : throw Mismatch(n, key, "a bool");

    ConfigObject ToObject(ConfigNode n, string key) =>
        n.Kind == ConfigValueKind.Object ? new ConfigObject(File, Path(key), n, _showLines) : throw Mismatch(n, key, "an object");

    IReadOnlyList<T> ToList<T>(ConfigNode n, string key, string itemExpected, Func<ConfigNode, string, T> convert)
    {
        if (n.Kind != ConfigValueKind.List)
        {
            if (typeof(T) == typeof(int) && n.Kind == ConfigValueKind.Number) return [convert(n, key)];
            throw Mismatch(n, key, $"a list of {itemExpected[(itemExpected.IndexOf(' ') + 1)..]}s");
        }
        var result = new T[n.Items.Count];
        for (int i = 0; i < result.Length; i++) result[i] = convert(n.Items[i], $"{key}[{i}]");
        return result;
    }

    /// <summary>Decimal integers, plus YAML <c>0x</c>/<c>0o</c> forms; no fraction or exponent.</summary>
    internal static bool TryParseInteger(string text, out long value)
    {
        var t = text.AsSpan();
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) return true;
        bool neg = t.Length > 0 && t[0] == '-';
        var body = t.Length > 0 && t[0] is '-' or '+' ? t[1..] : t;
        if (body.StartsWith("0x") && long.TryParse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0)
        {
            if (neg) value = -value;
            return true;
        }
        if (body.StartsWith("0o") && body.Length > 2)
        {
            long v = 0;
            foreach (char c in body[2..])
            {
                if (c is < '0' or > '7' || v > long.MaxValue / 8) { value = 0; return false; }
                v = v * 8 + (c - '0');
            }
            value = neg ? -v : v;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Integers and floats (incl. YAML <c>.inf</c>, <c>-.inf</c>, <c>.nan</c>, and <c>NaN</c>/<c>Infinity</c>).</summary>
    internal static bool TryParseNumber(string text, out double value)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "Infinity" or "inf": value = double.PositiveInfinity; return true;
            case "-.inf" or "-.Inf" or "-.INF" or "-Infinity" or "-inf": value = double.NegativeInfinity; return true;
            case ".nan" or ".NaN" or ".NAN" or "NaN" or "nan": value = double.NaN; return true;
        }
        if (TryParseInteger(text, out long l)) { value = l; return true; }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
