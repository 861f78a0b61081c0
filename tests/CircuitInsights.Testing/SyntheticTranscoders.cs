using CircuitInsights.Models;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Testing;

/// <summary>Random transcoder sets (in memory) with realistic sparsity, for engine tests.</summary>
public static class SyntheticTranscoders
{
    public sealed record Options
    {
        public int Width { get; init; } = 48;
        public string InputHook { get; init; } = "ln2.hook_normalized_pre_affine";
        public string OutputHook { get; init; } = "hook_mlp_out";
        public TranscoderActivation Activation { get; init; } = TranscoderActivation.Relu;
        public bool InputCentering { get; init; }
        public bool DecoderBias { get; init; } = true;
        public bool Skip { get; init; }
        /// <summary>Cross-layer: each layer's features decode to all later layers.</summary>
        public bool CrossLayer { get; init; }
        public int[]? Layers { get; init; }
        public float EncoderBias { get; init; } = -0.6f;
    }

    public static TranscoderSet Create(DecoderSpec spec, int seed, Options? o = null)
    {
        o ??= new Options();
        var rng = new Random(seed);
        int d = spec.DModel, k = o.Width;
        var layers = o.Layers ?? Enumerable.Range(0, spec.Layers).ToArray();
        var list = new List<Transcoder>();
        foreach (int l in layers)
        {
            var enc = TestRandom.Normal(rng, d * k, 1.0 / Math.Sqrt(d));
            var bEnc = TestRandom.Normal(rng, k, 0.2).Select(v => v + o.EncoderBias).ToArray();
            int outs = o.CrossLayer ? spec.Layers - l : 1;
            var decoders = new MatrixRef[outs];
            for (int j = 0; j < outs; j++) decoders[j] = MatrixRef.FromF32(TestRandom.Normal(rng, k * d, 0.3), k, d);
            float[]? threshold = o.Activation == TranscoderActivation.JumpRelu ? TestRandom.Normal(rng, k, 0.1).Select(v => Math.Abs(v) + 0.05f).ToArray() : null;
            list.Add(new Transcoder(l, MatrixRef.FromF32(enc, d, k), bEnc, decoders,
                o.DecoderBias ? TestRandom.Normal(rng, d, 0.1) : null, o.Activation, threshold,
                o.Activation == TranscoderActivation.TopK ? 5 : null,
                o.InputCentering ? TestRandom.Normal(rng, d, 0.1) : null,
                o.Skip ? MatrixRef.FromF32(TestRandom.Normal(rng, d * d, 0.05), d, d) : null));
        }
        var info = new TranscoderSetInfo("synthetic", $"seed {seed}", spec.Architecture, o.InputHook, o.OutputHook, o.Activation.ToString().ToLowerInvariant(),
            o.InputCentering, o.DecoderBias, o.Skip, o.CrossLayer, k, layers, layers.ToDictionary(l => l, l => "memory"));
        return new TranscoderSet(list, info);
    }
}
