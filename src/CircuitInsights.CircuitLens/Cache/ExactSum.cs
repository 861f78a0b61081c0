namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// Order-independent sums: values are accumulated as 128-bit fixed point (2⁻²⁰ resolution), so a run interrupted and
/// resumed, or split into corpus shards and merged, gives bit-identical totals.
/// </summary>
public static class ExactSum
{
    public const double Scale = 1 << 20;

    public static Int128 ToFixed(double value) => (Int128)Math.Round(value * Scale);

    public static double ToDouble(Int128 fixedValue) => (double)fixedValue / Scale;
}
