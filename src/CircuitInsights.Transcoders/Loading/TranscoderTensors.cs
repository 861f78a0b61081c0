using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>Checked access to the tensors of one transcoder file (errors name the file, the tensor and the shapes).</summary>
internal sealed class TranscoderTensors(ITensorSource source)
{
    public ITensorSource Source { get; } = source;

    public bool Has(string name) => Source.TryGetInfo(name, out _);

    public TensorInfo Info(string name) =>
        Source.TryGetInfo(name, out var info) ? info : throw new InvalidModelFileException(Source.Location, $"missing tensor '{name}' (has: {string.Join(", ", Source.Tensors.Select(t => t.Name).Take(12))})");

    public MatrixRef Matrix(string name)
    {
        var info = Info(name);
        if (info.Shape.Length != 2) throw new InvalidModelFileException(info.File, $"tensor '{name}' has shape {info.ShapeText}, expected a matrix");
        CheckFloat(info);
        return Source.Load(name).AsMatrix(info.Shape[0], info.Shape[1]);
    }

    public float[] Vector(string name, int length)
    {
        var info = Info(name);
        if (info.ElementCount != length || info.Shape.Length > 1 && info.Shape.Count(d => d != 1) > 1)
            throw new InvalidModelFileException(info.File, $"tensor '{name}' has shape {info.ShapeText}, expected [{length}]");
        CheckFloat(info);
        return Source.Load(name).ToFloatArray();
    }

    static void CheckFloat(TensorInfo info)
    {
        if (!DTypes.IsKernelFloat(info.DType)) throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has dtype {info.DType}, expected F32, BF16 or F16");
    }
}
