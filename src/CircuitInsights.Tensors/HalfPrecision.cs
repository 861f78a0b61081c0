using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CircuitInsights.Tensors;

/// <summary>Conversions between fp32 and the 16-bit float formats (bf16, IEEE fp16) stored as raw <see cref="ushort"/> bits.</summary>
public static class HalfPrecision
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Bf16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F16ToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>fp32 → bf16 with round-to-nearest-even (what torch's <c>.to(torch.bfloat16)</c> does); NaN stays NaN.</summary>
    public static ushort SingleToBf16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((bits >> 16) | 0x0040); // quiet NaN
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>fp32 → IEEE fp16 with round-to-nearest-even; overflow gives ±∞, NaN stays NaN.</summary>
    public static ushort SingleToF16(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Widens 16-bit floats of type <paramref name="dtype"/> (BF16 or F16) into fp32.</summary>
    public static void Widen(ReadOnlySpan<ushort> source, DType dtype, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short", nameof(destination));
        if (dtype == DType.BF16) WidenBf16(source, destination);
        else if (dtype == DType.F16) WidenF16(source, destination);
        else throw new ArgumentException($"cannot widen {dtype} from 16-bit storage", nameof(dtype));
    }

    static unsafe void WidenBf16(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int n = source.Length, i = 0;
        fixed (ushort* s = source)
        fixed (float* d = destination)
        {
            if (Avx2.IsSupported)
            {
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<int> w = Avx2.ConvertToVector256Int32(s + i);
                    Avx.Store(d + i, Avx2.ShiftLeftLogical(w, 16).AsSingle());
                }
            }
            for (; i < n; i++) d[i] = Bf16ToSingle(s[i]);
        }
    }

    static void WidenF16(ReadOnlySpan<ushort> source, Span<float> destination) =>
        System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(source), destination[..source.Length]);

    /// <summary>Narrows fp32 values to bf16 (round-to-nearest-even, NaN stays NaN), vectorised; same results as <see cref="SingleToBf16"/>.</summary>
    public static void NarrowToBf16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short", nameof(destination));
        int n = source.Length, i = 0;
        ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref ushort dst = ref MemoryMarshal.GetReference(destination);
        for (; i + 16 <= n; i += 16)
        {
            var lo = RoundToBf16(Vector256.LoadUnsafe(ref src, (nuint)i));
            var hi = RoundToBf16(Vector256.LoadUnsafe(ref src, (nuint)(i + 8)));
            Vector256.Narrow(lo, hi).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++) destination[i] = SingleToBf16(source[i]);
    }

    /// <summary>The bf16 pattern (in the low 16 bits) of 8 fp32 bit patterns, as <see cref="SingleToBf16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<uint> RoundToBf16(Vector256<uint> bits)
    {
        var isNaN = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
        var rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >>> 16) & Vector256<uint>.One)) >>> 16;
        return Vector256.ConditionalSelect(isNaN, (bits >>> 16) | Vector256.Create(0x0040u), rounded);
    }

    /// <summary>Narrows fp32 values to IEEE fp16 (round-to-nearest-even, as <c>(Half)value</c>).</summary>
    public static void NarrowToF16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short", nameof(destination));
        System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<ushort, Half>(destination)[..source.Length]);
    }
}
