using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CircuitInsights.Tensors;

/// <summary>
/// Element-wise activation functions, in place, vectorised with <see cref="Vector256{T}"/> (gelu_new / gelu_pytorch_tanh:
/// reference.md §2.1–2.2; SiLU: §2.3).
/// Every element, including the tail of a span whose length is not a multiple of 8, goes through the same vector
/// formula, so a value's result does not depend on its position. Naive twins: <see cref="NaiveKernels"/>.
/// </summary>
public static class Activations
{
    const float Sqrt2OverPi = 0.7978845608028654f;

    /// <summary>
    /// GELU, tanh form (GPT-2 <c>gelu_new</c>, Gemma <c>gelu_pytorch_tanh</c>): 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))),
    /// evaluated as x / (1 + exp(−2u)), u = √(2/π)(x + 0.044715x³) (the same function, without the cancellation of
    /// 1 + tanh for negative x). Max error vs the exact function: a few ulp.
    /// </summary>
    public static void GeluTanh(Span<float> x) => Apply<GeluOp>(x);

    /// <summary>SiLU (Llama): x·σ(x) = x / (1 + exp(−x)).</summary>
    public static void Silu(Span<float> x) => Apply<SiluOp>(x);

    /// <summary>ReLU: max(x, 0) (NaN stays NaN).</summary>
    public static void Relu(Span<float> x) => Apply<ReluOp>(x);

    interface IOp { static abstract Vector256<float> Invoke(Vector256<float> x); }

    readonly struct GeluOp : IOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            var inner = Vector256.FusedMultiplyAdd(x * x, Vector256.Create(0.044715f), Vector256<float>.One);
            var minus2u = x * inner * Vector256.Create(-2f * Sqrt2OverPi);
            return x / (Vector256<float>.One + Vector256.Exp(minus2u));
        }
    }

    readonly struct SiluOp : IOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Exp(-x));
    }

    readonly struct ReluOp : IOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x), x, Vector256<float>.Zero);
    }

    static void Apply<TOp>(Span<float> x) where TOp : struct, IOp
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        for (; i + 8 <= n; i += 8)
        {
            ref float p = ref Unsafe.Add(ref start, i);
            TOp.Invoke(Vector256.LoadUnsafe(ref p)).StoreUnsafe(ref p);
        }
        if (i < n)
        {
            Span<float> tail = stackalloc float[8];
            tail.Clear();
            x[i..].CopyTo(tail);
            TOp.Invoke(Vector256.Create<float>(tail)).CopyTo(tail);
            tail[..(n - i)].CopyTo(x[i..]);
        }
    }
}
