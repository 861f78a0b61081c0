using CircuitInsights.Attribution;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Tests;

public class AttributorTests
{
    static readonly SyntheticGpt2.Config Config = new(Layers: 3, DModel: 32, Heads: 4, DMlp: 64, Vocab: 97, Positions: 40);

    static ReplacementModel Build(int seed, SyntheticTranscoders.Options? o = null)
    {
        var spec = SyntheticGpt2.Spec(Config);
        var model = new DecoderModel(spec, Gpt2WeightMap.Load(SyntheticGpt2.Create(Config, seed).ToSource(), spec));
        return new ReplacementModel(model, SyntheticTranscoders.Create(spec, seed + 100, o));
    }

    public static TheoryData<string> Variants => new() { "pre_affine_centered", "mlp_in", "ln2_normalized", "resid_mid_skip", "jumprelu", "cross_layer", "partial" };

    static SyntheticTranscoders.Options VariantOptions(string v) => v switch
    {
        "pre_affine_centered" => new() { InputCentering = true },
        "mlp_in" => new() { InputHook = "mlp.hook_in" },
        "ln2_normalized" => new() { InputHook = "ln2.hook_normalized" },
        "resid_mid_skip" => new() { InputHook = "hook_resid_mid", Skip = true },
        "jumprelu" => new() { Activation = TranscoderActivation.JumpRelu },
        "cross_layer" => new() { CrossLayer = true },
        "partial" => new() { Layers = [0, 2] },
        _ => throw new ArgumentException(v),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Attribute_Targets_SumToTheirValue(string variant)
    {
        var rm = Build(1, VariantOptions(variant));
        int[] tokens = TestRandom.Tokens(new Random(2), 12, Config.Vocab);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        int last = rm.Transcoders.Layers.Max();
        var targets = new List<AttributionTarget>();
        foreach (var f in ctx.Features.Where(f => f.Layer == last).Take(10)) targets.Add(new FeatureTarget(f.Layer, f.Position, f.Feature));
        targets.Add(new FeatureTarget(last, 5, 3)); // possibly inactive: pre-activation still decomposes
        targets.Add(new LogitTarget(11, 7));
        targets.Add(new LogitTarget(4, 50));
        var rows = attributor.Attribute(targets);
        Assert.True(targets.Count >= 4);
        for (int i = 0; i < targets.Count; i++)
        {
            double expected = attributor.TargetValue(targets[i]);
            double total = rows.Total(i);
            Assert.True(Math.Abs(total - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{variant} target {targets[i]}: sum {total} vs value {expected}");
        }
    }

    [Theory]
    [InlineData("pre_affine_centered")]
    [InlineData("mlp_in")]
    [InlineData("resid_mid_skip")]
    [InlineData("cross_layer")]
    public void Attribute_FeatureEdges_PredictFrozenInterventions(string variant)
    {
        var rm = Build(3, VariantOptions(variant));
        int[] tokens = TestRandom.Tokens(new Random(4), 10, Config.Vocab);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        var targets = ctx.Features.Where(f => f.Layer == 2).Select(f => (AttributionTarget)new FeatureTarget(2, f.Position, f.Feature)).Take(8).ToList();
        targets.Add(new LogitTarget(9, 11));
        var rows = attributor.Attribute(targets);
        var sources = Enumerable.Range(0, ctx.Features.Length).Where(i => ctx.Features[i].Layer == 0 && ctx.Features[i].Position > 0).Take(4).ToArray();
        Assert.NotEmpty(sources);
        foreach (int s in sources)
        {
            var src = ctx.Features[s];
            var result = Interventions.Run(rm, tokens, [new FeatureIntervention(src.Layer, src.Position, src.Feature, 2 * src.Activation)],
                new InterventionOptions { FreezeAttention = true, FreezeNorms = true, FreezeMlps = true });
            for (int i = 0; i < targets.Count; i++)
            {
                double edge = rows.FeatureRow(i)[s];
                double change = Change(rm, result, targets[i], attributor);
                Assert.True(Math.Abs(change - edge) <= 1e-4 * Math.Max(1, Math.Abs(edge)) + 2e-5, $"{variant}: source {src} → {targets[i]}: edge {edge}, intervention {change}");
            }
        }
    }

    static double Change(ReplacementModel rm, Interventions.Result r, AttributionTarget target, Attributor a)
    {
        switch (target)
        {
            case FeatureTarget f:
                int k = rm.Transcoders.Width;
                return r.Intervened.Layers[f.Layer].PreActivations![f.Pos * k + f.Feature] - r.Clean.Layers[f.Layer].PreActivations![f.Pos * k + f.Feature];
            case LogitTarget lt:
                return Demeaned(r.Intervened, lt) - Demeaned(r.Clean, lt);
            default: throw new ArgumentException();
        }
    }

    static double Demeaned(ReplacementRun run, LogitTarget lt)
    {
        int v = Config.Vocab;
        var row = (run.Forward.PreSoftcapLogits ?? run.Forward.Logits!).AsSpan(lt.Pos * v, v);
        return row[lt.Token] - row.ToArray().Average();
    }

    [Fact]
    public void Attribute_DirectMode_FeaturesErrorsEmbeddingsAndHeadsSumToValue()
    {
        var rm = Build(5);
        int[] tokens = TestRandom.Tokens(new Random(6), 9, Config.Vocab);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        var f = ctx.Features.Last(x => x.Layer == 2);
        var targets = new AttributionTarget[] { new FeatureTarget(2, f.Position, f.Feature), new LogitTarget(8, 3) };
        var rows = attributor.Attribute(targets, new AttributeOptions { ThroughAttention = false, HeadContributions = true });
        for (int i = 0; i < targets.Length; i++)
        {
            double heads = rows.HeadsBySource!.AsSpan(i * 3 * 4 * 9, 3 * 4 * 9).ToArray().Sum(v => (double)v);
            double expected = attributor.TargetValue(targets[i]);
            Assert.True(Math.Abs(rows.Total(i) + heads - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{targets[i]}: {rows.Total(i)} + {heads} vs {expected}");
            // Direct mode: no feature at another position contributes.
            for (int s = 0; s < ctx.Features.Length; s++)
                if (ctx.Features[s].Position != targets[i].Position) Assert.Equal(0f, rows.FeatureRow(i)[s]);
        }
    }

    [Fact]
    public void Attribute_ChunkedAndUnchunked_Agree()
    {
        var rm = Build(7);
        int[] tokens = TestRandom.Tokens(new Random(8), 8, Config.Vocab);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        var targets = ctx.Features.Where(x => x.Layer >= 1).Select(x => (AttributionTarget)new FeatureTarget(x.Layer, x.Position, x.Feature)).Take(20).ToList();
        var whole = attributor.Attribute(targets);
        var chunked = attributor.Attribute(targets, new AttributeOptions { MaxChunk = 3 });
        NumericAssert.Close(whole.Features, chunked.Features, 1e-6, "features");
        NumericAssert.Close(whole.Errors, chunked.Errors, 1e-6, "errors");
    }
}
