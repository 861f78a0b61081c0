using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>
/// A torch storage named by a persistent id <c>('storage', torch.FloatStorage, key, location, numel)</c> in
/// <c>data.pkl</c>; its bytes are the zip entry <c>&lt;archive&gt;/data/&lt;key&gt;</c>. <see cref="DType"/> is null
/// for <c>UntypedStorage</c> (numel then counts bytes).
/// </summary>
public sealed class TorchStorageRef(string storageType, DType? dtype, string key, string location, long elementCount) : PickleNode
{
    /// <summary>Storage class name, e.g. <c>FloatStorage</c>, <c>BFloat16Storage</c>.</summary>
    public string StorageType { get; } = storageType;
    public DType? DType { get; } = dtype;
    public string Key { get; } = key;
    /// <summary>Device the storage was saved from (e.g. <c>cpu</c>, <c>cuda:0</c>); data is always read to the CPU.</summary>
    public string Location { get; } = location;
    public long ElementCount { get; } = elementCount;
    public override string ToString() => $"{StorageType}(key={Key}, numel={ElementCount})";
}

/// <summary>
/// A tensor rebuilt by <c>torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
/// backward_hooks[, metadata])</c>: element (i0..in) is storage[offset + Σ i_d·stride_d]. Materialized by
/// <see cref="TorchCheckpoint"/>.
/// </summary>
public sealed class TorchTensorRef(object? storage, long storageOffset, int[] size, long[] stride, bool requiresGrad) : PickleNode
{
    /// <summary>Normally a <see cref="TorchStorageRef"/>; anything else is reported when the tensor is loaded.</summary>
    public object? Storage { get; } = storage;
    public long StorageOffset { get; } = storageOffset;
    public int[] Size { get; } = size;
    public long[] Stride { get; } = stride;
    public bool RequiresGrad { get; } = requiresGrad;
    public override string ToString() => $"tensor[{string.Join(", ", Size)}]";
}
