using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.WeightLens.Tests.Support;
using CircuitInsights.WeightLens.Validation;

namespace CircuitInsights.WeightLens.Tests.Validation;

/// <summary>The batched probe gives bitwise the activations of one ReplacementModel.Run per sequence.</summary>
public class ActivationProbeTests(PlantedFixture planted) : IClassFixture<PlantedFixture>
{
    static readonly SyntheticGpt2.Config Config = new(Layers: 3, DModel: 32, Heads: 4, DMlp: 64, Vocab: 97, Positions: 40);

    public static TheoryData<string> Variants => new() { "relu", "jumprelu_centered", "topk", "ln2_pre_affine_partial" };

    static SyntheticTranscoders.Options Options(string v) => v switch
    {
        "relu" => new() { EncoderBias = 0 },
        "jumprelu_centered" => new() { Activation = TranscoderActivation.JumpRelu, InputCentering = true, EncoderBias = 0 },
        "topk" => new() { Activation = TranscoderActivation.TopK, EncoderBias = 0 },
        "ln2_pre_affine_partial" => new() { InputHook = "ln2.hook_normalized_pre_affine", Layers = [0, 2], EncoderBias = 0 },
        _ => throw new ArgumentException(v),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Run_SyntheticTranscoders_EqualsReplacementModelBitwise(string variant)
    {
        var spec = SyntheticGpt2.Spec(Config);
        using var model = new DecoderModel(spec, Gpt2WeightMap.Load(SyntheticGpt2.Create(Config, 3).ToSource(), spec));
        using var set = SyntheticTranscoders.Create(spec, 4, Options(variant));
        var lens = new WeightLensModel(model, CircuitInsights.Formats.Tokenization.Gpt2TokenizerFiles.Load(), set, "synthetic");
        Check(lens, new Random(5), vocab: Config.Vocab);
    }

    [Fact]
    public void Run_PlantedModel_EqualsReplacementModelBitwise() => Check(planted.Lens, new Random(6), vocab: PlantedGpt2.Vocab);

    static void Check(WeightLensModel lens, Random rng, int vocab)
    {
        var layers = lens.Layers.ToArray();
        var sequences = new List<ProbeSequence>();
        for (int s = 0; s < 23; s++)
        {
            int length = s % 3 == 0 ? 2 : 1 + rng.Next(7);
            var tokens = TestRandom.Tokens(rng, length, vocab);
            var reads = Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => new ProbeRead(layers[rng.Next(layers.Length)], rng.Next(length), rng.Next(lens.Width))).ToArray();
            sequences.Add(new ProbeSequence(tokens, reads));
        }
        sequences.Add(new ProbeSequence([1, 2], []));
        var results = new ActivationProbe(lens, batchSize: 5).Run(sequences);
        var replacement = new ReplacementModel(lens.Decoder, lens.Transcoders);
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            Assert.Equal(seq.Reads.Length, results[s].Length);
            for (int j = 0; j < seq.Reads.Length; j++)
            {
                var r = seq.Reads[j];
                var run = replacement.Run(new TokenBatch([seq.Tokens]), new ReplacementOptions { StopAtLayer = r.Layer + 1, ZeroFirstPosition = false, Logits = LogitsMode.None });
                Assert.Equal(run.Layers[r.Layer].Active.Get(r.Position, r.Feature), results[s][j]);
            }
        }
    }
}
