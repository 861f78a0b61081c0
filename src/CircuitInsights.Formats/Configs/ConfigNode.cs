namespace CircuitInsights.Formats;

/// <summary>Kind of a value in a JSON or YAML config tree.</summary>
public enum ConfigValueKind { Null, Bool, Number, String, List, Object }

/// <summary>
/// One value of a parsed JSON or YAML config: a scalar (kept as its source text; numbers are parsed on request), a list
/// or an object (keys in file order; a repeated key keeps the last value, as Python does). <see cref="Line"/> is the
/// 1-based line where the value starts.
/// </summary>
public sealed class ConfigNode
{
    readonly List<ConfigNode>? _items;
    readonly List<KeyValuePair<string, ConfigNode>>? _properties;
    readonly Dictionary<string, int>? _index;

    public ConfigValueKind Kind { get; }
    /// <summary>Scalar text: the string value, the number's literal, <c>true</c>/<c>false</c>; null for lists/objects/null.</summary>
    public string? Text { get; }
    public int Line { get; }

    ConfigNode(ConfigValueKind kind, string? text, int line)
    {
        Kind = kind; Text = text; Line = line;
        if (kind == ConfigValueKind.List) _items = [];
        if (kind == ConfigValueKind.Object) { _properties = []; _index = new(StringComparer.Ordinal); }
    }

    public static ConfigNode Scalar(ConfigValueKind kind, string? text, int line) =>
        kind is ConfigValueKind.List or ConfigValueKind.Object ? throw new ArgumentException("not a scalar kind", nameof(kind)) : new(kind, text, line);

    public static ConfigNode NewList(int line) => new(ConfigValueKind.List, null, line);
    public static ConfigNode NewObject(int line) => new(ConfigValueKind.Object, null, line);

    public IReadOnlyList<ConfigNode> Items => _items ?? (IReadOnlyList<ConfigNode>)[];
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Properties => _properties ?? (IReadOnlyList<KeyValuePair<string, ConfigNode>>)[];

    public bool TryGet(string key, out ConfigNode value)
    {
        if (_index is not null && _index.TryGetValue(key, out int i)) { value = _properties![i].Value; return true; }
        value = null!;
        return false;
    }

    internal void Add(ConfigNode item) => _items!.Add(item);

    internal void Set(string key, ConfigNode value)
    {
        if (_index!.TryGetValue(key, out int i)) _properties![i] = new(key, value);
        else
        {
            _index[key] = _properties!.Count;
            _properties.Add(new(key, value));
        }
    }

    /// <summary>Short description for error messages, e.g. <c>string "abc"</c>, <c>number 1e-05</c>, <c>list</c>.</summary>
    public string Describe() => Kind switch
    {
        ConfigValueKind.Null => "null",
        ConfigValueKind.Bool => $"bool {Text}",
        ConfigValueKind.Number => $"number {Short(Text!)}",
        ConfigValueKind.String => $"string \"{Short(Text!)}\"",
        ConfigValueKind.List => $"a list of {Items.Count}",
        _ => "an object",
    };

    static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    public override string ToString() => Describe();
}
