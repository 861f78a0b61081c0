namespace CircuitInsights.Formats;

/// <summary>
/// A Python dict or <c>collections.OrderedDict</c>, in insertion order. Setting an existing key replaces its value
/// in place (Python semantics for str/int/bool/float keys; other keys compare by identity).
/// </summary>
public sealed class PickleDict(bool ordered) : PickleNode
{
    static readonly object NoneKey = new();
    readonly List<KeyValuePair<object?, object?>> _items = [];
    readonly Dictionary<object, int> _index = [];

    /// <summary>True for <c>collections.OrderedDict</c> (e.g. a torch state_dict).</summary>
    public bool IsOrdered { get; } = ordered;
    public int Count => _items.Count;
    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;
    /// <summary>Instance state set by BUILD (e.g. a state_dict's <c>_metadata</c>); null when none.</summary>
    public object? State { get; internal set; }

    public IEnumerable<string> StringKeys => _items.Select(p => p.Key).OfType<string>();

    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(key ?? NoneKey, out int i)) { value = _items[i].Value; return true; }
        value = null;
        return false;
    }

    public object? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"key '{key}' not in dict");

    internal void Set(object? key, object? value)
    {
        object k = key ?? NoneKey;
        if (_index.TryGetValue(k, out int i)) _items[i] = new(key, value);
        else
        {
            _index[k] = _items.Count;
            _items.Add(new(key, value));
        }
        Depth = Math.Max(Depth, Math.Max(DepthOf(key), DepthOf(value)) + 1);
    }

    public override string ToString() => $"{(IsOrdered ? "OrderedDict" : "dict")}[{Count}]";
}
