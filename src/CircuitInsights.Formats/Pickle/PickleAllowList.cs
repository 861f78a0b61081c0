using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// The globals <see cref="PickleReader"/> understands. Calls to these are evaluated as pure data constructors; every
/// other global is recorded as an inert <see cref="PickledObject"/> (and listed in <c>ForeignGlobals</c>).
/// Torch storage classes and dtypes are recognised as names only (they appear inside persistent ids).
/// </summary>
public static class PickleAllowList
{
    /// <summary>Callables with data-only semantics.</summary>
    public static IReadOnlySet<string> Callables { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "builtins.set", "builtins.frozenset", "builtins.list", "builtins.dict", "builtins.tuple",
        "builtins.bytes", "builtins.bytearray", "_codecs.encode", "copyreg._reconstructor",
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch.Size", "torch.device",
    };

    static readonly Dictionary<string, DType?> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = DType.F32,
        ["DoubleStorage"] = DType.F64,
        ["HalfStorage"] = DType.F16,
        ["BFloat16Storage"] = DType.BF16,
        ["LongStorage"] = DType.I64,
        ["IntStorage"] = DType.I32,
        ["ShortStorage"] = DType.I16,
        ["CharStorage"] = DType.I8,
        ["ByteStorage"] = DType.U8,
        ["BoolStorage"] = DType.Bool,
        ["UntypedStorage"] = null,
        ["TypedStorage"] = null,
    };

    static readonly HashSet<string> TorchDTypes = new(StringComparer.Ordinal)
    {
        "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
        "int16", "short", "int8", "uint8", "bool",
    };

    /// <summary>Python 2 module names mapped to their Python 3 equivalents (as CPython's <c>_compat_pickle</c> does).</summary>
    public static string CanonicalModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        "commands" => "subprocess",
        "exceptions" => "builtins",
        _ => module,
    };

    /// <summary>True for allow-listed callables, torch storage classes and torch dtypes.</summary>
    public static bool IsKnown(PickleGlobal g) =>
        Callables.Contains(g.FullName) || TryGetStorageType(g, out _) || (g.Module == "torch" && TorchDTypes.Contains(g.Name));

    /// <summary>Recognises <c>torch.FloatStorage</c> … <c>torch.BoolStorage</c>, <c>torch.UntypedStorage</c> and
    /// <c>torch.storage.TypedStorage/UntypedStorage</c>; <paramref name="dtype"/> is null for untyped storage.</summary>
    public static bool TryGetStorageType(PickleGlobal g, out DType? dtype)
    {
        dtype = null;
        if (g.Module is not ("torch" or "torch.storage" or "torch.cuda")) return false;
        return StorageTypes.TryGetValue(g.Name, out dtype);
    }
}
