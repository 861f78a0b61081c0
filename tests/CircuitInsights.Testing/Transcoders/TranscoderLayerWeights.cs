namespace CircuitInsights.Testing;

/// <summary>
/// The weights of one synthetic transcoder layer in the orientation of the maths (what the oracle reads), independent
/// of any file layout: pre = (x − c)·Encoder + EncoderBias; a = act(pre); out_j = a·Decoders[j] + DecoderBias
/// + x·Skip. Writers for each real format transpose/rename as that format stores them.
/// </summary>
public sealed class TranscoderLayerWeights
{
    public required int Layer { get; init; }
    public required int DModel { get; init; }
    public required int Width { get; init; }
    /// <summary>[D, K].</summary>
    public required float[] Encoder { get; init; }
    /// <summary>[K].</summary>
    public required float[] EncoderBias { get; init; }
    /// <summary>One [K, D] decoder per output layer Layer, Layer+1, … (one for per-layer transcoders).</summary>
    public required float[][] Decoders { get; init; }
    /// <summary>[D] output bias (null = none).</summary>
    public float[]? DecoderBias { get; init; }
    /// <summary>[K] JumpReLU thresholds (null = none).</summary>
    public float[]? Threshold { get; init; }
    /// <summary>[D] subtracted from the input before encoding (pchlenski b_dec), or null.</summary>
    public float[]? InputCentering { get; init; }
    /// <summary>[D, D] skip in x·S orientation (out += x·Skip), or null.</summary>
    public float[]? Skip { get; init; }

    public sealed record Options
    {
        public bool DecoderBias { get; init; } = true;
        public bool Threshold { get; init; }
        public bool InputCentering { get; init; }
        public bool Skip { get; init; }
        /// <summary>Number of output layers (cross-layer transcoders: n_layers − layer).</summary>
        public int Outputs { get; init; } = 1;
        public float EncoderBias { get; init; } = -0.6f;
        /// <summary>Round every value to bf16 precision (for BF16 files that must compare exactly).</summary>
        public bool Bf16 { get; init; }
    }

    /// <summary>Random weights giving roughly 20–40 % active features on unit-variance inputs.</summary>
    public static TranscoderLayerWeights Random(Random rng, int layer, int dModel, int width, Options? o = null)
    {
        o ??= new Options();
        float[] R(float[] v) => o.Bf16 ? TestRandom.RoundToBf16(v) : v;
        var bias = TestRandom.Normal(rng, width, 0.2);
        for (int i = 0; i < width; i++) bias[i] += o.EncoderBias;
        return new TranscoderLayerWeights
        {
            Layer = layer, DModel = dModel, Width = width,
            Encoder = R(TestRandom.Normal(rng, dModel * width, 1.0 / Math.Sqrt(dModel))),
            EncoderBias = R(bias),
            Decoders = Enumerable.Range(0, o.Outputs).Select(_ => R(TestRandom.Normal(rng, width * dModel, 0.3))).ToArray(),
            DecoderBias = o.DecoderBias ? R(TestRandom.Normal(rng, dModel, 0.1)) : null,
            Threshold = o.Threshold ? R(TestRandom.Normal(rng, width, 0.1).Select(v => Math.Abs(v) + 0.05f).ToArray()) : null,
            InputCentering = o.InputCentering ? R(TestRandom.Normal(rng, dModel, 0.2)) : null,
            Skip = o.Skip ? R(TestRandom.Normal(rng, dModel * dModel, 0.05)) : null,
        };
    }

    /// <summary>Row-major transpose of a [rows, cols] matrix.</summary>
    public static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        return t;
    }
}
