using CircuitInsights.Attribution;
using CircuitInsights.Models.Components;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Tests;

/// <summary>
/// The attribution engine on Gemma-2 and Llama-3 decoders: completeness (Σ contributions = target value) and edges =
/// frozen interventions, with the transcoder placements the released sets use — Gemma Scope (JumpReLU, reads
/// <c>ln2.hook_normalized</c> = RMS-normalised resid_mid without the (1 + w) gain, writes <c>hook_mlp_out</c> after the
/// post-feed-forward norm) and the mntss Llama skip transcoders (read <c>hook_resid_mid</c>, write <c>mlp.hook_out</c>, with
/// W_skip). Gemma's post-attention norm, soft-caps, sliding window and embedding scale and Llama's GQA / llama3 RoPE are all
/// active in these models.
/// </summary>
public class RotaryArchitectureAttributionTests
{
    static readonly SyntheticGemma2.Config Gemma = new(Vocab: 97);
    static readonly SyntheticLlama.Config Llama = new(Layers: 3, Vocab: 97, Llama3Scaling: SyntheticLlama.Config.DefaultScaling);

    public static TheoryData<string> Models => new() { "gemma2_gemmascope", "gemma2_mlp_hook_out", "llama_skip", "llama_mlp_in" };

    static ReplacementModel Build(string variant, int seed)
    {
        DecoderModel model;
        SyntheticTranscoders.Options options;
        switch (variant)
        {
            case "gemma2_gemmascope":
                model = SyntheticModels.Gemma2(Gemma, SyntheticGemma2.Create(Gemma, seed));
                options = new() { InputHook = "ln2.hook_normalized", OutputHook = "hook_mlp_out", Activation = TranscoderActivation.JumpRelu, EncoderBias = -0.3f };
                break;
            case "gemma2_mlp_hook_out": // output before the post-feed-forward norm: the backward must apply that norm's frozen Jacobian
                model = SyntheticModels.Gemma2(Gemma, SyntheticGemma2.Create(Gemma, seed));
                options = new() { InputHook = "mlp.hook_in", OutputHook = "mlp.hook_out" };
                break;
            case "llama_skip":
                model = SyntheticModels.Llama(Llama, SyntheticLlama.Create(Llama, seed));
                options = new() { InputHook = "hook_resid_mid", OutputHook = "mlp.hook_out", Skip = true };
                break;
            case "llama_mlp_in":
                model = SyntheticModels.Llama(Llama with { Tied = true }, SyntheticLlama.Create(Llama with { Tied = true }, seed));
                options = new() { InputHook = "mlp.hook_in", OutputHook = "mlp.hook_out", CrossLayer = true };
                break;
            default: throw new ArgumentException(variant);
        }
        return new ReplacementModel(model, SyntheticTranscoders.Create(model.Spec, seed + 100, options));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Attribute_Targets_SumToTheirValue(string variant)
    {
        var rm = Build(variant, 1);
        int[] tokens = TestRandom.Tokens(new Random(2), 11, 97);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        int last = rm.Model.Spec.Layers - 1;
        var targets = new List<AttributionTarget>();
        foreach (var f in ctx.Features.Where(f => f.Layer == last && f.Position >= 5).Take(8)) targets.Add(new FeatureTarget(f.Layer, f.Position, f.Feature));
        foreach (var f in ctx.Features.Where(f => f.Layer == 1).Take(4)) targets.Add(new FeatureTarget(f.Layer, f.Position, f.Feature));
        targets.Add(new FeatureTarget(last, 9, 3)); // possibly inactive: the pre-activation still decomposes
        targets.Add(new LogitTarget(10, 7));
        targets.Add(new LogitTarget(4, 50));
        Assert.True(targets.Count >= 10, $"{variant}: only {targets.Count} targets");
        var rows = attributor.Attribute(targets);
        for (int i = 0; i < targets.Count; i++)
        {
            double expected = attributor.TargetValue(targets[i]);
            double total = rows.Total(i);
            Assert.True(Math.Abs(total - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{variant} target {targets[i]}: sum {total} vs value {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Attribute_FeatureEdges_PredictFrozenInterventions(string variant)
    {
        var rm = Build(variant, 3);
        int[] tokens = TestRandom.Tokens(new Random(4), 11, 97);
        var ctx = AttributionContext.Build(rm, tokens);
        using var attributor = new Attributor(ctx);
        int last = rm.Model.Spec.Layers - 1;
        var targets = ctx.Features.Where(f => f.Layer == last).Select(f => (AttributionTarget)new FeatureTarget(last, f.Position, f.Feature)).Take(8).ToList();
        targets.Add(new LogitTarget(10, 11));
        var rows = attributor.Attribute(targets);
        var sources = Enumerable.Range(0, ctx.Features.Length).Where(i => ctx.Features[i].Layer == 0 && ctx.Features[i].Position > 0).Take(4).ToArray();
        Assert.NotEmpty(sources);
        double largest = 0;
        foreach (int s in sources)
        {
            var src = ctx.Features[s];
            var result = Interventions.Run(rm, tokens, [new FeatureIntervention(src.Layer, src.Position, src.Feature, 2 * src.Activation)],
                new InterventionOptions { FreezeAttention = true, FreezeNorms = true, FreezeMlps = true });
            for (int i = 0; i < targets.Count; i++)
            {
                double edge = rows.FeatureRow(i)[s];
                double change = Change(rm, result, targets[i]);
                largest = Math.Max(largest, Math.Abs(edge));
                Assert.True(Math.Abs(change - edge) <= 1e-4 * Math.Max(1, Math.Abs(edge)) + 2e-5, $"{variant}: source {src} → {targets[i]}: edge {edge}, intervention {change}");
            }
        }
        Assert.True(largest > 1e-2, $"{variant}: all edges are negligible ({largest}), the check would be vacuous");
    }

    static double Change(ReplacementModel rm, Interventions.Result r, AttributionTarget target)
    {
        switch (target)
        {
            case FeatureTarget f:
                int k = rm.Transcoders.Width;
                return r.Intervened.Layers[f.Layer].PreActivations![f.Pos * k + f.Feature] - r.Clean.Layers[f.Layer].PreActivations![f.Pos * k + f.Feature];
            case LogitTarget lt:
                return Demeaned(r.Intervened, lt, rm.Model.Spec.Vocab) - Demeaned(r.Clean, lt, rm.Model.Spec.Vocab);
            default: throw new ArgumentException(target.ToString());
        }
    }

    static double Demeaned(ReplacementRun run, LogitTarget lt, int v)
    {
        var row = (run.Forward.PreSoftcapLogits ?? run.Forward.Logits!).AsSpan(lt.Pos * v, v);
        return row[lt.Token] - row.ToArray().Average();
    }
}
