using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Models.Architectures;

/// <summary>
/// Reads checkpoint tensors by name for a weight map, checking each against the shape the config implies. Errors name the
/// file, the tensor, and expected versus found (e.g. "model.safetensors: tensor 'h.0.mlp.c_fc.weight' has shape [768, 3000],
/// expected [768, 3072] (from config)").
/// </summary>
public sealed class WeightReader
{
    readonly ITensorSource _source;

    /// <param name="prefix">Optional key prefix present in this checkpoint (e.g. "transformer.").</param>
    public WeightReader(ITensorSource source, string prefix = "")
    {
        _source = source;
        Prefix = prefix;
    }

    public string Prefix { get; }
    public ITensorSource Source => _source;

    public bool Has(string name) => _source.TryGetInfo(Prefix + name, out _);

    TensorData Load(string name, int[] expected)
    {
        Check(name, expected);
        return _source.Load(Prefix + name);
    }

    /// <summary>Checks that a tensor exists with the expected shape and a float dtype, without reading its data.</summary>
    public void Check(string name, int[] expected)
    {
        string key = Prefix + name;
        if (!_source.TryGetInfo(key, out var info))
            throw new InvalidModelFileException(_source.Location, $"missing tensor '{key}' (expected shape [{string.Join(", ", expected)}])");
        if (!info.Shape.SequenceEqual(expected))
            throw new InvalidModelFileException(info.File, $"tensor '{key}' has shape {info.ShapeText}, expected [{string.Join(", ", expected)}] (from config)");
        if (!DTypes.IsKernelFloat(info.DType))
            throw new InvalidModelFileException(info.File, $"tensor '{key}' has dtype {info.DType}, expected F32, BF16 or F16");
    }

    /// <summary>Checks every tensor of <paramref name="expected"/> in order (names relative to <see cref="Prefix"/>), so a
    /// broken checkpoint is reported deterministically before any weight is packed.</summary>
    public void CheckAll(IEnumerable<(string Name, int[] Shape)> expected)
    {
        foreach (var (name, shape) in expected) Check(name, shape);
    }

    /// <summary>A 2-D weight as a view over the checkpoint memory (no copy).</summary>
    public MatrixRef Matrix(string name, int rows, int cols) => Load(name, [rows, cols]).AsMatrix(rows, cols);

    /// <summary>A 1-D parameter copied to fp32.</summary>
    public float[] Vector(string name, int length) => Load(name, [length]).ToFloatArray();

    public float[]? OptionalVector(string name, int length) => Has(name) ? Vector(name, length) : null;
}
