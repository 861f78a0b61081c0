namespace CircuitInsights.Formats;

/// <summary>
/// Base of the containers built by <see cref="PickleReader"/>. Values in an unpickled tree are: <c>null</c> (None),
/// <see cref="bool"/>, <see cref="long"/>, <see cref="System.Numerics.BigInteger"/>, <see cref="double"/>,
/// <see cref="string"/>, <c>byte[]</c>, <see cref="PickleTuple"/>, <see cref="PickleList"/>, <see cref="PickleDict"/>,
/// <see cref="PickleSet"/>, <see cref="PickleGlobal"/>, <see cref="PickledObject"/> and torch references
/// (<see cref="TorchStorageRef"/>, <see cref="TorchTensorRef"/>). Pickles may share and even cycle objects, so walk
/// trees with a depth limit.
/// </summary>
public abstract class PickleNode
{
    /// <summary>Nesting depth as seen when the node was last changed (1 for an empty container); used to reject absurd nesting.</summary>
    internal int Depth { get; set; } = 1;

    internal static int DepthOf(object? value) => value is PickleNode n ? n.Depth : 0;
}

/// <summary>A Python tuple.</summary>
public sealed class PickleTuple : PickleNode, IReadOnlyList<object?>
{
    readonly object?[] _items;

    public static PickleTuple Empty { get; } = new([]);

    public PickleTuple(object?[] items)
    {
        _items = items;
        int d = 0;
        foreach (var i in items) d = Math.Max(d, DepthOf(i));
        Depth = d + 1;
    }

    public object? this[int index] => _items[index];
    public int Count => _items.Length;
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();
    public override string ToString() => $"tuple[{Count}]";
}

/// <summary>A Python list.</summary>
public sealed class PickleList : PickleNode, IReadOnlyList<object?>
{
    internal readonly List<object?> Items = [];

    public object? this[int index] => Items[index];
    public int Count => Items.Count;
    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => Items.GetEnumerator();
    public override string ToString() => $"list[{Count}]";
}

/// <summary>A Python set or frozenset (items in pickle order).</summary>
public sealed class PickleSet(bool frozen) : PickleNode
{
    internal readonly List<object?> Items = [];
    public bool IsFrozen { get; } = frozen;
    public IReadOnlyList<object?> Values => Items;
    public override string ToString() => $"{(IsFrozen ? "frozenset" : "set")}[{Items.Count}]";
}

/// <summary>A reference to a Python global (class or function) named by a pickle; never resolved to code.</summary>
public sealed class PickleGlobal(string module, string name) : PickleNode
{
    public string Module { get; } = module;
    public string Name { get; } = name;
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}
