using CircuitInsights.Tensors;

namespace CircuitInsights.Formats;

/// <summary>An <see cref="ITensorSource"/> over tensors held in memory (tests, generated models, conversions).</summary>
public sealed class InMemoryTensorSource : ITensorSource
{
    readonly Dictionary<string, TensorData> _tensors = new(StringComparer.Ordinal);
    readonly List<TensorInfo> _infos = [];

    public InMemoryTensorSource(string location = "<memory>") => Location = location;

    public string Location { get; }
    public IReadOnlyList<TensorInfo> Tensors => _infos;

    /// <summary>Adds (or replaces) a tensor.</summary>
    public InMemoryTensorSource Add(TensorData tensor)
    {
        if (_tensors.ContainsKey(tensor.Name)) _infos.RemoveAll(i => i.Name == tensor.Name);
        _tensors[tensor.Name] = tensor;
        _infos.Add(new TensorInfo(tensor.Name, tensor.DType, tensor.Shape, Location));
        return this;
    }

    public InMemoryTensorSource AddF32(string name, float[] data, params int[] shape) => Add(TensorData.FromF32(name, shape, data));

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        info = _infos.FirstOrDefault(i => i.Name == name)!;
        return info is not null;
    }

    public TensorData Load(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new InvalidModelFileException(Location, $"missing tensor '{name}'");

    public void Dispose() { }
}
