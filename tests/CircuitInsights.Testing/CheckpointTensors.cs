using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Named fp32 tensors in a checkpoint's own naming and layout (what a test writes to disk and what the reference
/// implementations read). Values are kept as fp32; <see cref="ToSource"/> can store them as BF16 (values must then already
/// be bf16-representable, see <see cref="TestRandom.RoundToBf16"/>).
/// </summary>
public sealed class CheckpointTensors
{
    public Dictionary<string, (float[] Data, int[] Shape)> Tensors { get; } = new(StringComparer.Ordinal);

    public void Add(string name, float[] data, params int[] shape)
    {
        if (data.Length != shape.Aggregate(1, (a, b) => a * b)) throw new ArgumentException($"{name}: size mismatch");
        Tensors[name] = (data, shape);
    }

    public float[] this[string name] => Tensors[name].Data;

    /// <summary>An in-memory source holding the tensors (optionally with a key prefix, optionally as BF16).</summary>
    public InMemoryTensorSource ToSource(string prefix = "", DType dtype = DType.F32)
    {
        var src = new InMemoryTensorSource();
        foreach (var (name, (data, shape)) in Tensors)
        {
            if (dtype == DType.F32) src.Add(TensorData.FromF32(prefix + name, shape, data));
            else
            {
                var bits = new ushort[data.Length];
                if (dtype == DType.BF16) HalfPrecision.NarrowToBf16(data, bits); else HalfPrecision.NarrowToF16(data, bits);
                src.Add(TensorData.From16Bit(prefix + name, dtype, shape, bits));
            }
        }
        return src;
    }
}
