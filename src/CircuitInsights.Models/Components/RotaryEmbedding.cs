namespace CircuitInsights.Models.Components;

/// <summary>
/// Rotary position embedding, rotate-half convention (HF <c>rotate_half</c>): for i &lt; R/2,
/// x'[i] = x[i]·cos θ_i − x[i+R/2]·sin θ_i and x'[i+R/2] = x[i+R/2]·cos θ_i + x[i]·sin θ_i, with θ_i = p·inv_freq_i,
/// inv_freq_i = base^(−2i/R), optionally rescaled by the "llama3" rule (reference.md §2.3). Dimensions ≥ R are untouched.
/// Angles follow HF: inv_freq and p·inv_freq in fp32, cos/sin of that fp32 angle.
/// </summary>
public sealed class RotaryEmbedding
{
    readonly int _half;
    readonly float[] _invFreq; // [R/2]
    float[] _cos = [], _sin = []; // [P, R/2]
    int _cachedPositions;
    readonly object _lock = new();

    public int RotaryDim { get; }

    public RotaryEmbedding(RopeSpec spec)
    {
        RotaryDim = spec.RotaryDim;
        _half = spec.RotaryDim / 2;
        _invFreq = InverseFrequencies(spec);
    }

    /// <summary>inv_freq_i for i &lt; R/2 (with llama3 scaling when configured).</summary>
    public static float[] InverseFrequencies(RopeSpec spec)
    {
        int half = spec.RotaryDim / 2;
        var inv = new float[half];
        for (int i = 0; i < half; i++)
        {
            // torch: 1.0 / (base ** (arange(0, dim, 2, dtype=int64).float() / dim)), computed in fp32
            float exponent = (2 * i) / (float)spec.RotaryDim;
            inv[i] = 1f / MathF.Pow((float)spec.Theta, exponent);
        }
        if (spec.Llama3Scaling is { } s)
        {
            float lowWavelen = s.OriginalMaxPositions / s.LowFreqFactor;
            float highWavelen = s.OriginalMaxPositions / s.HighFreqFactor;
            for (int i = 0; i < half; i++)
            {
                float wavelen = 2f * MathF.PI / inv[i];
                if (wavelen > lowWavelen) inv[i] /= s.Factor;
                else if (wavelen >= highWavelen)
                {
                    float smooth = (s.OriginalMaxPositions / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
                }
            }
        }
        return inv;
    }

    void EnsureTables(int positions)
    {
        if (positions <= _cachedPositions) return;
        lock (_lock)
        {
            if (positions <= _cachedPositions) return;
            var cos = new float[positions * _half];
            var sin = new float[positions * _half];
            for (int p = 0; p < positions; p++)
                for (int i = 0; i < _half; i++)
                {
                    float angle = p * _invFreq[i];
                    cos[p * _half + i] = (float)Math.Cos(angle);
                    sin[p * _half + i] = (float)Math.Sin(angle);
                }
            _cos = cos; _sin = sin; _cachedPositions = positions;
        }
    }

    /// <summary>Rotates, in place, every head vector of x [B, T, heads, Dh] at position t (0-based within its sequence).</summary>
    public void Apply(Span<float> x, int batch, int positions, int heads, int headDim)
    {
        EnsureTables(positions);
        var cos = _cos; var sin = _sin;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < positions; t++)
            {
                var c = cos.AsSpan(t * _half, _half);
                var s = sin.AsSpan(t * _half, _half);
                for (int h = 0; h < heads; h++)
                {
                    var v = x.Slice(((b * positions + t) * heads + h) * headDim, headDim);
                    for (int i = 0; i < _half; i++)
                    {
                        float a = v[i], bb = v[i + _half];
                        v[i] = a * c[i] - bb * s[i];
                        v[i + _half] = bb * c[i] + a * s[i];
                    }
                }
            }
    }
}
