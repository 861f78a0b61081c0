using System.Numerics.Tensors;
using CircuitInsights.Attribution;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Analysis;

/// <summary>A feature occurrence to analyse: feature (layer, index) active at a position of a window.</summary>
public readonly record struct ContextTarget(int Layer, int Feature, int Position, float Activation);

/// <summary>
/// Input- and output-centric attribution of feature occurrences in one context window (paper.md §2, §4.2), on the
/// frozen linearisation of <see cref="AttributionContext"/>: one forward pass per window, one backward sweep for all its
/// targets (the feature pre-activations and the logits of the actual next tokens).
/// </summary>
public sealed class ContextAnalyzer(ReplacementModel model, ITokenizer tokenizer, CircuitLensOptions options)
{
    public IReadOnlyList<ContextAnalysis> Analyze(int window, int[] tokens, IReadOnlyList<ContextTarget> targets)
    {
        if (targets.Count == 0) return [];
        foreach (var t in targets)
            if (t.Position <= 0 || t.Position >= tokens.Length) throw new CircuitInsightsException($"window {window}: target position {t.Position} outside [1, {tokens.Length})");
        int end = Math.Min(tokens.Length, targets.Max(t => t.Position) + 1 + options.OutputTokens);
        var prefix = tokens[..end];
        var ctx = AttributionContext.Build(model, prefix, options.ZeroFirstPosition);
        using var attributor = new Attributor(ctx);
        var attributionTargets = new List<AttributionTarget>();
        foreach (var t in targets) attributionTargets.Add(new FeatureTarget(t.Layer, t.Position, t.Feature));
        var logitTargets = new List<(int Position, int Token)>();
        // only the next-token logits some target reports (its own position and the OutputTokens − 1 after it): with many
        // targets in a window, a span from the first to the last target would add a backward row per position
        var logitPositions = new SortedSet<int>();
        foreach (var t in targets)
            for (int p = t.Position; p < t.Position + options.OutputTokens && p + 1 < end; p++) logitPositions.Add(p);
        foreach (int p in logitPositions) logitTargets.Add((p, prefix[p + 1]));
        foreach (var (p, tok) in logitTargets) attributionTargets.Add(new LogitTarget(p, tok));
        var rows = attributor.Attribute(attributionTargets, new AttributeOptions { HeadContributions = true });

        var columnOf = new Dictionary<(int, int, int), int>();
        for (int i = 0; i < ctx.Features.Length; i++) columnOf[(ctx.Features[i].Layer, ctx.Features[i].Position, ctx.Features[i].Feature)] = i;
        var results = new List<ContextAnalysis>(targets.Count);
        for (int i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            var (features, featureTotal) = Features(ctx, rows, i);
            var heads = Heads(rows, i, t.Position);
            float preactivation = (float)attributor.TargetValue(attributionTargets[i]);
            var circuit = Circuit(features, heads, preactivation);
            var next = new List<TokenEffect>();
            if (columnOf.TryGetValue((t.Layer, t.Position, t.Feature), out int column))
                for (int k = 0; k < logitTargets.Count; k++)
                {
                    var (p, tok) = logitTargets[k];
                    if (p < t.Position || p >= t.Position + options.OutputTokens) continue;
                    next.Add(new TokenEffect(tok, tokenizer.TokenText(tok), rows.FeatureRow(targets.Count + k)[column], p - t.Position));
                }
            var (promoted, suppressed) = DirectLogitEffects(ctx, t);
            results.Add(new ContextAnalysis
            {
                Window = window, InputIds = prefix[..Math.Min(end, t.Position + 1 + options.OutputTokens)], TargetPosition = t.Position, TargetActivation = t.Activation,
                TargetPreactivation = preactivation,
                Features = features, Heads = heads, FeatureTotal = featureTotal,
                EmbeddingTotal = Sum(rows.EmbeddingRow(i)), ErrorTotal = Sum(rows.ErrorRow(i)), BiasTotal = (float)rows.Bias[i],
                NextTokenEffects = next.ToArray(), Promoted = promoted, Suppressed = suppressed, Circuit = circuit,
            });
        }
        return results;
    }

    static float Sum(ReadOnlySpan<float> s) => TensorPrimitives.Sum(s);

    /// <summary>Upstream feature contributions summed over source positions, largest |·| first.</summary>
    (FeatureContribution[], float) Features(AttributionContext ctx, AttributionRows rows, int row)
    {
        var r = rows.FeatureRow(row);
        var byFeature = new Dictionary<(int, int), (double Sum, float Best, int Position)>();
        double total = 0;
        for (int i = 0; i < r.Length; i++)
        {
            float c = r[i];
            if (c == 0) continue;
            total += c;
            var f = ctx.Features[i];
            var key = (f.Layer, f.Feature);
            var cur = byFeature.GetValueOrDefault(key);
            byFeature[key] = (cur.Sum + c, Math.Abs(c) > Math.Abs(cur.Best) ? c : cur.Best, Math.Abs(c) > Math.Abs(cur.Best) ? f.Position : cur.Position);
        }
        var list = byFeature.Select(kv => new FeatureContribution(kv.Key.Item1, kv.Key.Item2, (float)kv.Value.Sum, kv.Value.Position))
            .OrderByDescending(f => Math.Abs(f.Contribution)).ThenBy(f => f.Layer).ThenBy(f => f.Feature).Take(4 * options.MaxContributors).ToArray();
        return (list, (float)total);
    }

    HeadContribution[] Heads(AttributionRows rows, int row, int target)
    {
        var list = new List<HeadContribution>();
        for (int l = 0; l < rows.Layers; l++)
            for (int h = 0; h < rows.Heads; h++)
                for (int s = 0; s <= target; s++)
                {
                    float c = rows.Head(row, l, h, s);
                    if (c != 0) list.Add(new HeadContribution(l, h, s - target, c));
                }
        return list.OrderByDescending(h => Math.Abs(h.Contribution)).ThenBy(h => h.Layer).ThenBy(h => h.Head).ThenBy(h => h.Delta).Take(4 * options.MaxContributors).ToArray();
    }

    /// <summary>Significant contributors: |c| ≥ significance × |pre-activation| (so features driven by their token alone have
    /// empty circuits rather than noise), at most a few of each kind.</summary>
    string[] Circuit(FeatureContribution[] features, HeadContribution[] heads, float preactivation)
    {
        double cut = options.Significance * Math.Abs(preactivation);
        if (cut == 0) return [];
        return features.Where(f => Math.Abs(f.Contribution) >= cut).Take(options.MaxContributors).Select(f => $"f:{f.Layer}:{f.Feature}")
            .Concat(heads.Where(h => Math.Abs(h.Contribution) >= cut).Take(options.MaxContributors).Select(h => $"h:{h.Layer}:{h.Head}:{h.Delta}"))
            .ToArray();
    }

    /// <summary>a·W_dec through the frozen final norm to the demeaned logits at the target position (direct path only).</summary>
    (TokenEffect[] Promoted, TokenEffect[] Suppressed) DirectLogitEffects(AttributionContext ctx, ContextTarget t)
    {
        var spec = ctx.Spec;
        int d = spec.DModel, v = spec.Vocab;
        var tc = ctx.Transcoders[t.Layer];
        var write = new float[d];
        for (int l = t.Layer; l < t.Layer + tc.OutputLayerCount && l < spec.Layers; l++) tc.AddDecoderRow(l, t.Feature, t.Activation, write);
        var delta = new float[d];
        var norm = ctx.Weights.FinalNorm;
        float s = ctx.FinalScales[t.Position];
        if (spec.Norm == NormKind.LayerNorm)
        {
            float mean = TensorPrimitives.Sum<float>(write) / d;
            for (int i = 0; i < d; i++) delta[i] = (write[i] - mean) / s * (norm.Weight?[i] ?? 1f);
        }
        else
            for (int i = 0; i < d; i++) delta[i] = write[i] / s * (spec.NormGainOffset + (norm.Weight?[i] ?? 0f));
        var logits = new float[v];
        Gemm.Multiply(MatrixRef.FromF32(delta, 1, d), ctx.Weights.Unembed, logits, v);
        float avg = TensorPrimitives.Sum<float>(logits) / v;
        TensorPrimitives.Subtract(logits, avg, logits);
        // Only outliers count as promoted/suppressed: z = effect / std over the vocabulary ≥ OutlierZ.
        float std = MathF.Sqrt(TensorPrimitives.SumOfSquares<float>(logits) / v);
        if (std == 0) return ([], []);
        int k = options.LogitTokens;
        var idx = new int[k]; var val = new float[k];
        int n = TopK.Largest(logits, k, idx, val);
        var promoted = Enumerable.Range(0, n).Where(i => val[i] >= options.OutlierZ * std).Select(i => new TokenEffect(idx[i], tokenizer.TokenText(idx[i]), val[i])).ToArray();
        TensorPrimitives.Negate(logits, logits);
        n = TopK.Largest(logits, k, idx, val);
        var suppressed = Enumerable.Range(0, n).Where(i => val[i] >= options.OutlierZ * std).Select(i => new TokenEffect(idx[i], tokenizer.TokenText(idx[i]), -val[i])).ToArray();
        return (promoted, suppressed);
    }
}
