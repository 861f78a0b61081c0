using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Testing;

namespace CircuitInsights.Transcoders.Tests.Loading;

/// <summary>
/// Runs a loaded set on the synthetic GPT-2 with <see cref="ReplacementModel"/> and checks, at the hooks the format is
/// documented to use, the transcoder input, pre-activations, active features, reconstruction and error against
/// <see cref="ReferenceGpt2"/> (independent double-precision forward) + <see cref="ReferenceTranscoder"/>.
/// </summary>
internal static class ReplacementCheck
{
    public static readonly SyntheticGpt2.Config Config = new(Layers: 3, DModel: 32, Heads: 4, DMlp: 64, Vocab: 97, Positions: 40);
    public const int Width = 48;

    /// <summary>Returns the number of active (layer, position, feature) triples checked.</summary>
    public static int Verify(TranscoderSet set, IReadOnlyDictionary<int, TranscoderLayerWeights> weights, string inputHook, string outputHook,
        string activation, int k = 0, int seed = 5, double tolerance = 2e-4)
    {
        Assert.Equal(inputHook, set.Info.InputHook);
        Assert.Equal(outputHook, set.Info.OutputHook);
        var spec = SyntheticGpt2.Spec(Config);
        var checkpoint = SyntheticGpt2.Create(Config, seed);
        var model = new DecoderModel(spec, Gpt2WeightMap.Load(checkpoint.ToSource(), spec));
        int[] tokens = TestRandom.Tokens(new Random(seed + 1), 12, Config.Vocab);
        var run = new ReplacementModel(model, set).Run(TokenBatch.Single(tokens), new ReplacementOptions { ZeroFirstPosition = false, KeepPreActivations = true });
        var reference = ReferenceGpt2.Forward(checkpoint, Config, tokens);
        int rows = tokens.Length, d = Config.DModel;

        var inputs = new Dictionary<int, double[]>();
        var acts = new Dictionary<int, double[]>();
        var border = new Dictionary<int, bool[]>();
        int active = 0;
        foreach (int layer in set.Layers)
        {
            var w = weights[layer];
            var x = reference.Hooks[$"blocks.{layer}.{inputHook}"];
            inputs[layer] = x;
            var got = run.Layers[layer];
            NumericAssert.Close(x, got.Input, tolerance, $"layer {layer} input at {inputHook}");
            var pre = ReferenceTranscoder.Pre(w, x, rows);
            NumericAssert.Close(pre, got.PreActivations!, tolerance * 5, $"layer {layer} pre-activations");
            var a = ReferenceTranscoder.Activate(w, pre, rows, activation, k);
            acts[layer] = a;
            border[layer] = ReferenceTranscoder.Borderline(w, pre, rows, activation, k, 1e-3);
            for (int r = 0; r < rows; r++)
            {
                if (border[layer][r]) continue;
                for (int f = 0; f < w.Width; f++)
                {
                    double expected = a[r * w.Width + f];
                    float actual = got.Active.Get(r, f);
                    Assert.True(Math.Abs(expected - actual) <= tolerance * 5, $"layer {layer} row {r} feature {f}: activation {actual}, expected {expected}");
                    if (expected != 0) active++;
                }
            }
        }
        foreach (int layer in set.Layers)
        {
            var recon = ReferenceTranscoder.Reconstruct(weights.Where(kv => set.Layers.Contains(kv.Key)).ToDictionary(), acts, inputs, layer, rows);
            var mlp = reference.Hooks[$"blocks.{layer}.{outputHook}"];
            var got = run.Layers[layer];
            for (int r = 0; r < rows; r++)
            {
                if (set.Layers.Where(l => l <= layer).Any(l => border[l][r])) continue;
                for (int o = 0; o < d; o++)
                {
                    int i = r * d + o;
                    Assert.True(Math.Abs(recon[i] - got.Reconstruction[i]) <= tolerance * 10, $"layer {layer} row {r} dim {o}: reconstruction {got.Reconstruction[i]}, expected {recon[i]}");
                    Assert.True(Math.Abs(mlp[i] - recon[i] - got.Error[i]) <= tolerance * 10, $"layer {layer} row {r} dim {o}: error {got.Error[i]}, expected {mlp[i] - recon[i]}");
                }
            }
        }
        Assert.True(active > 20, $"only {active} active features: the check would be vacuous");
        return active;
    }
}
