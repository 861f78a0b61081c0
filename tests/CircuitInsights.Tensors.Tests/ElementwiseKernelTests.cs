using CircuitInsights.Tensors;

namespace CircuitInsights.Tensors.Tests;

/// <summary>Vectorised element-wise kernels against their double-precision naive twins in <see cref="NaiveKernels"/>.</summary>
public class ElementwiseKernelTests
{
    static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float relative, float absolute, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"{what}[{i}]: expected NaN, got {a}"); continue; }
            if (e == a) continue;
            Assert.True(Math.Abs(e - a) <= absolute + relative * Math.Abs(e), $"{what}[{i}]: expected {e}, got {a}");
        }
    }

    static float[] Inputs(int seed, int n, float scale)
    {
        var x = TestMatrices.RandomArray(new Random(seed), n, scale);
        // edge values at fixed positions (the tail is included for odd n)
        float[] edges = [0f, -0f, 1e-30f, -1e-30f, 20f, -20f, 90f, -90f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        for (int i = 0; i < edges.Length && i < n; i++) x[(i * 7) % n] = edges[i];
        return x;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(1027)]
    public void GeluTanh_MatchesNaive(int n)
    {
        var x = Inputs(1, n, 8f);
        var expected = (float[])x.Clone();
        NaiveKernels.GeluTanh(expected);
        Activations.GeluTanh(x);
        // relative 4e-6 where the output is not tiny; for x ≪ 0 the output is ~1e-11 and only its absolute error matters
        AssertClose(expected, x, 4e-6f, 1e-9f, "gelu");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(1027)]
    public void Silu_MatchesNaive(int n)
    {
        var x = Inputs(2, n, 8f);
        var expected = (float[])x.Clone();
        NaiveKernels.Silu(expected);
        Activations.Silu(x);
        AssertClose(expected, x, 4e-6f, 1e-37f, "silu");
    }

    [Fact]
    public void Activations_ValueAtAnyPosition_GivesSameResult()
    {
        // the tail of a span goes through the same vector formula as the body
        var body = Enumerable.Repeat(-1.2345f, 16).ToArray();
        var tail = new[] { -1.2345f };
        Activations.GeluTanh(body);
        Activations.GeluTanh(tail);
        Assert.Equal(body[3], tail[0]);
    }

    [Fact]
    public void Relu_ClampsNegatives_KeepsNaN()
    {
        var x = new[] { -1f, 2f, -0f, float.NaN, float.NegativeInfinity, 3f, -5f, 0.5f, -2f, 7f };
        Activations.Relu(x);
        Assert.Equal(new[] { 0f, 2f, 0f }, x[..3]);
        Assert.True(float.IsNaN(x[3]));
        Assert.Equal(new[] { 0f, 3f, 0f, 0.5f, 0f, 7f }, x[4..]);
    }

    [Theory]
    [InlineData(8, 64)]
    [InlineData(3, 1031)]
    public void LayerNorm_MatchesNaiveAndReturnsScale(int rows, int dim)
    {
        var rng = new Random(3);
        var x = TestMatrices.RandomArray(rng, rows * dim, 5f);
        for (int i = 0; i < x.Length; i += 97) x[i] += 300f; // outliers, as in GPT-2's residual stream
        var gamma = TestMatrices.RandomArray(rng, dim);
        var beta = TestMatrices.RandomArray(rng, dim);
        foreach (bool affine in new[] { true, false })
        {
            var g = affine ? gamma : [];
            var b = affine ? beta : [];
            var y = new float[x.Length]; var s = new float[rows];
            var yRef = new float[x.Length]; var sRef = new float[rows];
            Norms.LayerNorm(x, dim, g, b, 1e-5f, y, s);
            NaiveKernels.LayerNorm(x, dim, g, b, 1e-5f, yRef, sRef);
            AssertClose(yRef, y, 2e-6f, 2e-6f, "layernorm");
            AssertClose(sRef, s, 1e-7f, 0, "scale");
        }
    }

    [Fact]
    public void LayerNorm_InPlace_EqualsOutOfPlace()
    {
        var x = TestMatrices.RandomArray(new Random(4), 4 * 40);
        var y = new float[x.Length];
        Norms.LayerNorm(x, 40, [], [], 1e-5f, y, []);
        Norms.LayerNorm(x, 40, [], [], 1e-5f, x, []);
        Assert.Equal(y, x);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    public void RmsNorm_MatchesNaiveAndReturnsScale(float gainOffset)
    {
        var rng = new Random(5);
        int rows = 5, dim = 2307;
        var x = TestMatrices.RandomArray(rng, rows * dim, 3f);
        var gain = TestMatrices.RandomArray(rng, dim);
        foreach (var g in new[] { gain, [] })
        {
            var y = new float[x.Length]; var s = new float[rows];
            var yRef = new float[x.Length]; var sRef = new float[rows];
            Norms.RmsNorm(x, dim, g, gainOffset, 1e-6f, y, s);
            NaiveKernels.RmsNorm(x, dim, g, gainOffset, 1e-6f, yRef, sRef);
            AssertClose(yRef, y, 2e-6f, 1e-6f, "rmsnorm");
            AssertClose(sRef, s, 1e-7f, 0, "scale");
        }
    }

    [Fact]
    public void Norms_WrongParameterLength_Throws()
    {
        var x = new float[12];
        Assert.Throws<ArgumentException>(() => Norms.LayerNorm(x, 4, new float[3], [], 1e-5f, new float[12], []));
        Assert.Throws<ArgumentException>(() => Norms.RmsNorm(x, 5, [], 0, 1e-5f, new float[12], []));
        Assert.Throws<ArgumentException>(() => Norms.RmsNorm(x, 4, [], 0, 1e-5f, new float[12], new float[2]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 10)]
    [InlineData(1000, 1000)]
    public void Softmax_MatchesNaive(int length, int active)
    {
        var rng = new Random(6);
        var x = TestMatrices.RandomArray(rng, length, 30f);
        if (active > 3) x[2] = float.NegativeInfinity; // a masked position
        var expected = (float[])x.Clone();
        NaiveKernels.Softmax(expected, active);
        Softmax.InPlace(x, active);
        // x − max is rounded to fp32 before exp: relative error up to |x − max|·2⁻²⁴ (≈ 4e-6 for a range of 60)
        AssertClose(expected, x, 4e-6f, 1e-30f, "softmax");
        Assert.Equal(1.0, x.Sum(v => (double)v), 5);
    }

    [Fact]
    public void SoftmaxRows_EachRowSumsToOne()
    {
        var x = TestMatrices.RandomArray(new Random(7), 3 * 17, 10f);
        Softmax.Rows(x, 17);
        for (int r = 0; r < 3; r++) Assert.Equal(1.0, x.Skip(r * 17).Take(17).Sum(v => (double)v), 5);
    }
}
