using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Checked access to the tensors of one transcoder file: every error names the file, the tensor and expected vs found
/// shape or dtype. Matrices and vectors must be F32, BF16 or F16; the storage dtypes seen are collected in
/// <see cref="DTypes"/> for <see cref="TranscoderSetInfo.WeightDType"/>.
/// </summary>
internal sealed class TranscoderTensors(ITensorSource source, string prefix = "")
{
    public ITensorSource Source { get; } = source;
    public HashSet<DType> DTypes { get; } = [];
    public string File => Source.Location;

    public bool Has(string name) => Source.TryGetInfo(prefix + name, out _);

    public TensorInfo Info(string name) =>
        Source.TryGetInfo(prefix + name, out var info) ? info
            : throw new InvalidModelFileException(Source.Location, $"missing tensor '{prefix + name}' (file has: {Listing()})");

    string Listing()
    {
        var names = Source.Tensors.Select(t => t.Name).Take(13).ToList();
        return names.Count == 0 ? "no tensors" : string.Join(", ", names.Take(12)) + (names.Count > 12 ? ", …" : "");
    }

    /// <summary>A rank-2 tensor as a matrix view (any shape).</summary>
    public MatrixRef Matrix(string name)
    {
        var info = Info(name);
        if (info.Shape.Length != 2) throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has shape {info.ShapeText}, expected a matrix");
        CheckFloat(info);
        return Source.Load(info.Name).AsMatrix(info.Shape[0], info.Shape[1]);
    }

    /// <summary>A rank-2 tensor of exactly [rows, cols].</summary>
    public MatrixRef Matrix(string name, int rows, int cols)
    {
        var info = Info(name);
        if (info.Shape.Length != 2 || info.Shape[0] != rows || info.Shape[1] != cols)
            throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has shape {info.ShapeText}, expected [{rows}, {cols}]");
        CheckFloat(info);
        return Source.Load(info.Name).AsMatrix(rows, cols);
    }

    /// <summary>A rank-3 tensor of exactly [a, b, c] viewed as the matrix [a, b·c].</summary>
    public MatrixRef Rank3(string name, int a, int b, int c)
    {
        var info = Info(name);
        if (info.Shape.Length != 3 || info.Shape[0] != a || info.Shape[1] != b || info.Shape[2] != c)
            throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has shape {info.ShapeText}, expected [{a}, {b}, {c}]");
        CheckFloat(info);
        return Source.Load(info.Name).AsMatrix(a, checked(b * c));
    }

    /// <summary>A vector of <paramref name="length"/> entries (leading/trailing singleton dimensions allowed).</summary>
    public float[] Vector(string name, int length)
    {
        var info = Info(name);
        if (info.ElementCount != length || info.Shape.Count(d => d != 1) > 1)
            throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has shape {info.ShapeText}, expected [{length}]");
        CheckFloat(info);
        return Source.Load(info.Name).ToFloatArray();
    }

    /// <summary>The vector if present, else null.</summary>
    public float[]? OptionalVector(string name, int length) => Has(name) ? Vector(name, length) : null;

    void CheckFloat(TensorInfo info)
    {
        if (!CircuitInsights.Tensors.DTypes.IsKernelFloat(info.DType))
            throw new InvalidModelFileException(info.File, $"tensor '{info.Name}' has dtype {info.DType}, expected F32, BF16 or F16");
        DTypes.Add(info.DType);
    }
}
