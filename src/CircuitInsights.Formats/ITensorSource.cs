using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>Where a tensor lives and what it is, read from a file header without touching the data.</summary>
/// <param name="Name">Key in the file (e.g. <c>h.0.attn.c_attn.weight</c>).</param>
/// <param name="DType">Stored element type.</param>
/// <param name="Shape">Shape, outermost first.</param>
/// <param name="File">Path of the file that holds the data (the shard for sharded checkpoints).</param>
public sealed record TensorInfo(string Name, DType DType, int[] Shape, string File)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public long ByteLength => ElementCount * DTypes.ByteSize(DType);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// A set of named tensors read from disk: one safetensors file, a sharded checkpoint, an .npz archive, a torch .pt
/// file. Implementations validate headers when opened and map data lazily; <see cref="Load"/> is zero-copy where the
/// format allows (memory-mapped safetensors). Tensors stay valid until the source is disposed.
/// </summary>
public interface ITensorSource : IDisposable
{
    /// <summary>File or directory this source was opened from (used in error messages).</summary>
    string Location { get; }

    /// <summary>All tensors, in file order.</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    bool TryGetInfo(string name, out TensorInfo info);

    /// <summary>Returns the tensor; throws <see cref="InvalidModelFileException"/> naming the file and tensor when it is absent or unreadable.</summary>
    TensorData Load(string name);
}
