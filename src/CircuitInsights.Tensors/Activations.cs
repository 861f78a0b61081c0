namespace CircuitInsights.Tensors;

/// <summary>Element-wise activation functions, in place. Naive twins: <see cref="NaiveKernels"/>.</summary>
public static class Activations
{
    const float Sqrt2OverPi = 0.7978845608028654f;

    /// <summary>GELU, tanh form (GPT-2 <c>gelu_new</c>, Gemma <c>gelu_pytorch_tanh</c>): 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static void GeluTanh(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            x[i] = 0.5f * v * (1f + MathF.Tanh(Sqrt2OverPi * (v + 0.044715f * v * v * v)));
        }
    }

    /// <summary>SiLU (Llama): x·σ(x).</summary>
    public static void Silu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) { float v = x[i]; x[i] = v / (1f + MathF.Exp(-v)); }
    }

    /// <summary>ReLU: max(x, 0).</summary>
    public static void Relu(Span<float> x) => System.Numerics.Tensors.TensorPrimitives.Max(x, 0f, x);
}
