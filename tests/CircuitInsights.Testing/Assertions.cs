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

    /// <summary>Like <see cref="Close(IReadOnlyList{double}, ReadOnlySpan{float}, double, string)"/> for tensors with masked
    /// entries (attention scores): infinities must match exactly, finite values within <paramref name="tolerance"/>.</summary>
    public static void CloseWithInfinities(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        Assert.True(expected.Count == actual.Length, $"{what}: length {actual.Length}, expected {expected.Count}");
        var e = new double[expected.Count];
        for (int i = 0; i < e.Length; i++)
        {
            bool infE = double.IsInfinity(expected[i]), infA = float.IsInfinity(actual[i]);
            Assert.True(infE == infA && (!infE || Math.Sign(expected[i]) == Math.Sign(actual[i])), $"{what}: at {i} expected {expected[i]}, actual {actual[i]}");
            e[i] = infE ? actual[i] : expected[i];
        }
        var a = actual.ToArray();
        for (int i = 0; i < a.Length; i++) if (float.IsInfinity(a[i])) { a[i] = 0; e[i] = 0; }
        Close(e, a, tolerance, what);
    }
}
