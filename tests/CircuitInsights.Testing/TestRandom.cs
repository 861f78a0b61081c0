namespace CircuitInsights.Testing;

/// <summary>Seeded random data for tests.</summary>
public static class TestRandom
{
    /// <summary>Normal(0, std) values (Box–Muller, deterministic for a seed).</summary>
    public static float[] Normal(Random rng, int count, double std = 1.0)
    {
        var a = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    /// <summary>Rounds every value to bf16 precision (so fp32 and bf16 copies of a weight hold identical numbers).</summary>
    public static float[] RoundToBf16(float[] values) =>
        values.Select(v => Tensors.HalfPrecision.Bf16ToSingle(Tensors.HalfPrecision.SingleToBf16(v))).ToArray();

    public static int[] Tokens(Random rng, int count, int vocab) => Enumerable.Range(0, count).Select(_ => rng.Next(vocab)).ToArray();
}
