using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

public class HalfPrecisionTests
{
    static IEnumerable<ushort> AllPatterns() => Enumerable.Range(0, 65536).Select(i => (ushort)i);

    [Fact]
    public void Bf16_RoundTripOfEveryPattern_IsExactOrStaysNaN()
    {
        var bits = AllPatterns().ToArray();
        var wide = new float[bits.Length];
        HalfPrecision.Widen(bits, DType.BF16, wide);
        var back = new ushort[bits.Length];
        HalfPrecision.NarrowToBf16(wide, back);
        for (int i = 0; i < bits.Length; i++)
        {
            Assert.Equal(HalfPrecision.Bf16ToSingle(bits[i]), wide[i]);
            if (float.IsNaN(wide[i])) Assert.True(float.IsNaN(HalfPrecision.Bf16ToSingle(back[i])), $"pattern {i:X4}");
            else Assert.Equal(bits[i], back[i]);
        }
    }

    [Fact]
    public void F16_RoundTripOfEveryPattern_IsExactOrStaysNaN()
    {
        var bits = AllPatterns().ToArray();
        var wide = new float[bits.Length];
        HalfPrecision.Widen(bits, DType.F16, wide);
        var back = new ushort[bits.Length];
        HalfPrecision.NarrowToF16(wide, back);
        for (int i = 0; i < bits.Length; i++)
        {
            Assert.Equal(HalfPrecision.F16ToSingle(bits[i]), wide[i]);
            if (float.IsNaN(wide[i])) Assert.True(float.IsNaN(HalfPrecision.F16ToSingle(back[i])), $"pattern {i:X4}");
            else Assert.Equal(bits[i], back[i]);
        }
    }

    [Theory]
    [InlineData(0x3F808000u, (ushort)0x3F80)] // exact tie, even below: round down
    [InlineData(0x3F818000u, (ushort)0x3F82)] // exact tie, odd below: round up
    [InlineData(0x3F808001u, (ushort)0x3F81)] // just above the tie
    [InlineData(0x3F807FFFu, (ushort)0x3F80)] // just below the tie
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)] // max float rounds to +inf
    [InlineData(0xFF800000u, (ushort)0xFF80)] // -inf
    [InlineData(0x80000000u, (ushort)0x8000)] // -0
    [InlineData(0x00000001u, (ushort)0x0000)] // smallest subnormal rounds to 0
    public void SingleToBf16_RoundsToNearestEven(uint floatBits, ushort expected)
    {
        float v = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.Equal(expected, HalfPrecision.SingleToBf16(v));
        var vec = Enumerable.Repeat(v, 17).ToArray();
        var dst = new ushort[17];
        HalfPrecision.NarrowToBf16(vec, dst);
        Assert.All(dst, d => Assert.Equal(expected, d)); // vector body and scalar tail agree
    }

    [Fact]
    public void NarrowToBf16_RandomBits_MatchesScalar()
    {
        var rng = new Random(9);
        var values = Enumerable.Range(0, 4099).Select(_ => BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31))).ToArray();
        var dst = new ushort[values.Length];
        HalfPrecision.NarrowToBf16(values, dst);
        for (int i = 0; i < values.Length; i++) Assert.Equal(HalfPrecision.SingleToBf16(values[i]), dst[i]);
    }

    [Fact]
    public void NarrowToF16_RandomValues_MatchesHalfCast()
    {
        var rng = new Random(10);
        var values = Enumerable.Range(0, 4099).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-30, 20)))).ToArray();
        values[0] = 65520f; // rounds to +inf in fp16
        values[1] = float.NaN;
        var dst = new ushort[values.Length];
        HalfPrecision.NarrowToF16(values, dst);
        for (int i = 0; i < values.Length; i++) Assert.Equal(HalfPrecision.SingleToF16(values[i]), dst[i]);
        Assert.Equal((ushort)0x7C00, dst[0]);
    }

    [Fact]
    public void SingleToBf16_NaN_StaysQuietNaN()
    {
        ushort b = HalfPrecision.SingleToBf16(BitConverter.UInt32BitsToSingle(0x7F800001)); // signalling NaN with low payload
        Assert.True(float.IsNaN(HalfPrecision.Bf16ToSingle(b)));
        Assert.NotEqual(0, b & 0x0040);
    }
}
