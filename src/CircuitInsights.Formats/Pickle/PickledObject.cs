namespace CircuitInsights.Formats;

/// <summary>
/// An inert record of a Python object whose class is not on the allow-list of <see cref="PickleReader"/> (for example
/// <c>sae_training.config.LanguageModelSAERunnerConfig</c>, or <c>posix.system</c> in a malicious file). REDUCE,
/// NEWOBJ, INST/OBJ and BUILD only record their arguments here; nothing is ever called.
/// </summary>
public sealed class PickledObject(string module, string name, PickleTuple args, PickleDict? kwargs = null) : PickleNode
{
    public string Module { get; } = module;
    public string Name { get; } = name;
    public string FullName => $"{Module}.{Name}";
    /// <summary>Positional arguments of the call/constructor (empty for NEWOBJ with no args).</summary>
    public PickleTuple Args { get; } = args;
    public PickleDict? Kwargs { get; } = kwargs;
    /// <summary>State passed to BUILD (usually a dict of attributes, or a (dict, slots) tuple); null when none.</summary>
    public object? State { get; internal set; }
    /// <summary>Items APPENDed (list subclasses), or null.</summary>
    public PickleList? ListItems { get; internal set; }
    /// <summary>Items SETITEMed (dict subclasses), or null.</summary>
    public PickleDict? DictItems { get; internal set; }

    /// <summary>Looks up an attribute in the BUILD state (a dict, or the first dict of a (dict, slots) tuple, or the slots dict).</summary>
    public bool TryGetField(string field, out object? value)
    {
        if (State is PickleDict d && d.TryGetValue(field, out value)) return true;
        if (State is PickleTuple { Count: 2 } t)
        {
            if (t[0] is PickleDict d0 && d0.TryGetValue(field, out value)) return true;
            if (t[1] is PickleDict d1 && d1.TryGetValue(field, out value)) return true;
        }
        value = null;
        return false;
    }

    /// <summary>Names of the attributes in the BUILD state.</summary>
    public IEnumerable<string> FieldNames => State switch
    {
        PickleDict d => d.StringKeys,
        PickleTuple { Count: 2 } t => (t[0] as PickleDict)?.StringKeys.Concat((t[1] as PickleDict)?.StringKeys ?? []) ?? (t[1] as PickleDict)?.StringKeys ?? [],
        _ => [],
    };

    public override string ToString() => $"<{FullName} object>";
}
