using Xunit;

namespace CircuitInsights.Testing;

public static class NumericAssert
{
    /// <summary>Asserts max |actual − expected| ≤ tolerance, reporting the worst index.</summary>
    public static void Close(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        Assert.True(expected.Count == actual.Length, $"{what}: length {actual.Length}, expected {expected.Count}");
        double worst = 0; int at = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= worst)) { worst = diff; at = i; }
        }
        Assert.True(worst <= tolerance, $"{what}: max abs diff {worst:G4} at {at} (actual {(at >= 0 ? actual[at] : 0)}, expected {(at >= 0 ? expected[at] : 0)}) > {tolerance}");
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        Close(e, actual, tolerance, what);
    }
}
