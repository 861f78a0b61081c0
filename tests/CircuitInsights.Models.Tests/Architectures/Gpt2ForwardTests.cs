using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests.Architectures;

public class Gpt2ForwardTests
{
    static readonly SyntheticGpt2.Config Config = new(Layers: 2, DModel: 32, Heads: 4, DMlp: 64, Vocab: 97, Positions: 40);

    static DecoderModel Build(CheckpointTensors tensors, string prefix = "", DType dtype = DType.F32) =>
        new(SyntheticGpt2.Spec(Config), Gpt2WeightMap.Load(tensors.ToSource(prefix, dtype), SyntheticGpt2.Spec(Config)));

    [Fact]
    public void Forward_RandomWeights_LogitsMatchReference()
    {
        var w = SyntheticGpt2.Create(Config, seed: 1);
        int[] tokens = TestRandom.Tokens(new Random(2), 17, Config.Vocab);
        using var model = Build(w);
        var result = model.Forward(TokenBatch.Single(tokens));
        var reference = ReferenceGpt2.Forward(w, Config, tokens);
        Assert.Equal([1, 17, Config.Vocab], result.LogitsShape);
        NumericAssert.Close(reference.Logits, result.Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_EveryHook_MatchesReference()
    {
        var w = SyntheticGpt2.Create(Config, seed: 3);
        int[] tokens = TestRandom.Tokens(new Random(4), 11, Config.Vocab);
        var reference = ReferenceGpt2.Forward(w, Config, tokens);
        var trace = new ActivationTrace(reference.Hooks.Keys);
        using var model = Build(w);
        model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = trace });
        Assert.Equal(reference.Hooks.Count, trace.Recorded.Count);
        foreach (var (name, expected) in reference.Hooks)
        {
            var (data, _) = trace.Get(name);
            NumericAssert.Close(expected, data, 1e-4, name);
        }
    }

    [Fact]
    public void Forward_HookShapes_FollowDocumentedLayout()
    {
        var w = SyntheticGpt2.Create(Config, seed: 5);
        var trace = new ActivationTrace(["blocks.1.attn.hook_pattern", "blocks.0.attn.hook_q", "blocks.0.ln1.hook_scale", "blocks.1.mlp.hook_post"]);
        using var model = Build(w);
        model.Forward(new TokenBatch([[1, 2, 3], [4, 5]]), new ForwardOptions { Hooks = trace });
        Assert.Equal([2, 4, 3, 3], trace.Get("blocks.1.attn.hook_pattern").Shape);
        Assert.Equal([2, 3, 4, 8], trace.Get("blocks.0.attn.hook_q").Shape);
        Assert.Equal([2, 3, 1], trace.Get("blocks.0.ln1.hook_scale").Shape);
        Assert.Equal([2, 3, 64], trace.Get("blocks.1.mlp.hook_post").Shape);
    }

    [Fact]
    public void Forward_PaddedBatch_EqualsSeparateRuns()
    {
        var w = SyntheticGpt2.Create(Config, seed: 6);
        var rng = new Random(7);
        int[][] seqs = [TestRandom.Tokens(rng, 9, Config.Vocab), TestRandom.Tokens(rng, 4, Config.Vocab), TestRandom.Tokens(rng, 13, Config.Vocab)];
        using var model = Build(w);
        var batched = model.Forward(new TokenBatch(seqs));
        int T = 13, V = Config.Vocab;
        for (int b = 0; b < seqs.Length; b++)
        {
            var single = model.Forward(TokenBatch.Single(seqs[b]));
            for (int t = 0; t < seqs[b].Length; t++)
                NumericAssert.Close(single.Logits.AsSpan(t * V, V), batched.Logits.AsSpan((b * T + t) * V, V), 1e-5, $"seq {b} pos {t}");
        }
    }

    [Fact]
    public void Forward_LastLogitsMode_ReturnsLastRealPosition()
    {
        var w = SyntheticGpt2.Create(Config, seed: 8);
        using var model = Build(w);
        int[][] seqs = [[5, 6, 7, 8], [9, 10]];
        var all = model.Forward(new TokenBatch(seqs));
        var last = model.Forward(new TokenBatch(seqs), new ForwardOptions { Logits = LogitsMode.Last });
        int V = Config.Vocab;
        Assert.Equal([2, V], last.LogitsShape);
        NumericAssert.Close(all.Logits.AsSpan(3 * V, V), last.Logits.AsSpan(0, V), 0, "seq 0");
        NumericAssert.Close(all.Logits.AsSpan((4 + 1) * V, V), last.Logits.AsSpan(V, V), 0, "seq 1");
    }

    [Fact]
    public void Forward_Bf16Checkpoint_MatchesReferenceOnRoundedWeights()
    {
        var w = SyntheticGpt2.Create(Config, seed: 9, bf16: true);
        int[] tokens = TestRandom.Tokens(new Random(10), 12, Config.Vocab);
        using var model = Build(w, dtype: DType.BF16);
        Assert.Equal(DType.BF16, model.Weights.TokenEmbedding.DType);
        var result = model.Forward(TokenBatch.Single(tokens));
        NumericAssert.Close(ReferenceGpt2.Forward(w, Config, tokens).Logits, result.Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_TransformerPrefixedKeys_Load()
    {
        var w = SyntheticGpt2.Create(Config, seed: 11);
        int[] tokens = [1, 2, 3, 4];
        using var plain = Build(w);
        using var prefixed = Build(w, prefix: "transformer.");
        NumericAssert.Close(plain.Forward(TokenBatch.Single(tokens)).Logits, prefixed.Forward(TokenBatch.Single(tokens)).Logits, 0, "logits");
    }

    [Fact]
    public void Forward_ZeroingMlpOutHook_PropagatesLikeReference()
    {
        var w = SyntheticGpt2.Create(Config, seed: 12);
        int[] tokens = TestRandom.Tokens(new Random(13), 8, Config.Vocab);
        using var model = Build(w);
        var zero = HookHandlers.Create(h => h.Name == "blocks.0.hook_mlp_out", (_, v) => v.Span.Clear());
        var edited = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { Hooks = zero });
        NumericAssert.Close(ReferenceGpt2.Forward(w, Config, tokens, zeroMlpOutLayer: 0).Logits, edited.Logits, 1e-4, "logits");
    }

    [Fact]
    public void Forward_StopAtLayer_ReturnsResidPreOfThatLayer()
    {
        var w = SyntheticGpt2.Create(Config, seed: 14);
        int[] tokens = [3, 1, 4, 1, 5];
        using var model = Build(w);
        var r = model.Forward(TokenBatch.Single(tokens), new ForwardOptions { StopAtLayer = 1 });
        Assert.Null(r.Logits);
        Assert.Equal(1, r.LayersRun);
        NumericAssert.Close(ReferenceGpt2.Forward(w, Config, tokens).Hooks["blocks.1.hook_resid_pre"], r.Residual, 1e-4, "resid");
    }

    [Fact]
    public void Load_WrongShape_NamesTensorAndShapes()
    {
        var w = SyntheticGpt2.Create(Config, seed: 15);
        w.Add("h.1.mlp.c_fc.weight", new float[32 * 60], 32, 60);
        var ex = Assert.Throws<InvalidModelFileException>(() => Gpt2WeightMap.Load(w.ToSource(), SyntheticGpt2.Spec(Config)));
        Assert.Contains("h.1.mlp.c_fc.weight", ex.Message);
        Assert.Contains("[32, 60]", ex.Message);
        Assert.Contains("[32, 64]", ex.Message);
    }

    [Fact]
    public void Load_MissingTensor_NamesIt()
    {
        var w = SyntheticGpt2.Create(Config, seed: 16);
        w.Tensors.Remove("h.0.ln_2.bias");
        var ex = Assert.Throws<InvalidModelFileException>(() => Gpt2WeightMap.Load(w.ToSource(), SyntheticGpt2.Spec(Config)));
        Assert.Contains("h.0.ln_2.bias", ex.Message);
    }

    [Fact]
    public void Forward_TokenOutsideVocabulary_IsRejected()
    {
        using var model = Build(SyntheticGpt2.Create(Config, seed: 17));
        var ex = Assert.Throws<CircuitInsightsException>(() => model.Forward(TokenBatch.Single(1, Config.Vocab)));
        Assert.Contains("outside the vocabulary", ex.Message);
    }
}
