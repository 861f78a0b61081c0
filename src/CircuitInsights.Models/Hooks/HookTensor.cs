namespace CircuitInsights.Models.Hooks;

/// <summary>
/// The live value of an activation at a hook point: a row-major buffer and its shape (see <see cref="HookNames"/> for the
/// shape of each hook). For editable hooks (docs/hooks.md) changes made by a handler flow into the rest of the forward pass.
/// </summary>
public readonly struct HookTensor
{
    public float[] Buffer { get; }
    public int[] Shape { get; }
    public int Length { get; }

    public HookTensor(float[] buffer, params int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n > buffer.Length) throw new ArgumentException($"buffer of {buffer.Length} values is too small for shape [{string.Join(", ", shape)}]");
        Buffer = buffer; Shape = shape; Length = (int)n;
    }

    public Span<float> Span => Buffer.AsSpan(0, Length);

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => Span.ToArray();
}
