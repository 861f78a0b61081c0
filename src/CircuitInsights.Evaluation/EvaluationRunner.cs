using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Evaluation.Activations;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Explainers;
using CircuitInsights.Evaluation.Judges;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation;

/// <summary>
/// Evaluates several description methods on the same features over one activation cache:
/// <list type="number">
/// <item>descriptions per method (<see cref="DescriptionMethods"/>; MaxAct through an <see cref="IFeatureExplainer"/> from the
/// cache's top contexts; external labels);</item>
/// <item>the natural pool with every feature's activations (<see cref="NaturalPool"/>, one model pass for all features);</item>
/// <item>FADE per (feature, method) with one judge (<see cref="FadeEvaluator"/>).</item>
/// </list>
/// </summary>
public sealed class EvaluationRunner(DecoderModel model, TranscoderSet transcoders, ITokenizer tokenizer, ActivationCache cache, FadeOptions fade, NaturalPoolOptions pool)
{
    /// <summary>Top contexts given to the MaxAct explainer.</summary>
    public int MaxActExamples { get; init; } = CacheFinalizer.TopContexts;

    public void CheckFeatures(IReadOnlyList<FeatureId> features)
    {
        if (features.Count == 0) throw new CircuitInsightsException("no features to evaluate");
        foreach (var f in features)
        {
            if (!cache.Layers.Contains(f.Layer)) throw new CircuitInsightsException($"feature {f}: layer {f.Layer} is not in the cache (cached: {string.Join(", ", cache.Layers)})");
            if ((uint)f.Index >= (uint)cache.Manifest.Features) throw new CircuitInsightsException($"feature {f}: index outside [0, {cache.Manifest.Features})");
        }
    }

    /// <summary>Each method's description of each feature (methods × features, method-major).</summary>
    public async Task<List<FeatureDescription>> DescribeAsync(IReadOnlyList<FeatureId> features, IReadOnlyList<string> methods, EvaluationSources sources,
        IFeatureExplainer explainer, CancellationToken cancel = default)
    {
        Dictionary<FeatureId, WeightLensRecord>? wl = null;
        if (methods.Any(m => m is DescriptionMethods.WeightLens or DescriptionMethods.WeightLensOut or DescriptionMethods.Combined))
            wl = WeightLensDescriptions.Load(sources.WeightLens ?? throw new CircuitInsightsException("methods wl, wl+out and wl+cl need --weightlens DIR"), features.Select(f => f.Layer));
        if (methods.Any(m => m is DescriptionMethods.CircuitLens or DescriptionMethods.Combined) && sources.CircuitLens is null)
            throw new CircuitInsightsException("methods cl and wl+cl need --circuitlens DIR");
        if (sources.CircuitLens is { } cl && !Directory.Exists(cl)) throw new CircuitInsightsException($"{cl}: CircuitLens folder not found");
        Dictionary<FeatureId, FeatureDescription>? external = null;
        if (methods.Contains(DescriptionMethods.External))
            external = ExternalLabels.Load(sources.External ?? throw new CircuitInsightsException("method external needs --external FILE"));

        var result = new List<FeatureDescription>();
        foreach (var m in methods)
            foreach (var f in features)
            {
                cancel.ThrowIfCancellationRequested();
                result.Add(m switch
                {
                    DescriptionMethods.WeightLens => DescriptionMethods.FromWeightLens(f, wl!.GetValueOrDefault(f)),
                    DescriptionMethods.WeightLensOut => DescriptionMethods.FromWeightLens(f, wl!.GetValueOrDefault(f), withOutput: true),
                    DescriptionMethods.CircuitLens => DescriptionMethods.FromCircuitLens(f, DescriptionMethods.LoadCircuitLens(sources.CircuitLens!, f)),
                    DescriptionMethods.Combined => DescriptionMethods.Combine(DescriptionMethods.FromWeightLens(f, wl!.GetValueOrDefault(f)),
                        DescriptionMethods.FromCircuitLens(f, DescriptionMethods.LoadCircuitLens(sources.CircuitLens!, f))),
                    DescriptionMethods.MaxAct => await explainer.ExplainAsync(f, TopExamples(f), cancel).ConfigureAwait(false),
                    DescriptionMethods.External => external!.TryGetValue(f, out var e) ? e : FeatureDescription.None(DescriptionMethods.External, f),
                    _ => throw new CircuitInsightsException($"unknown method '{m}'"),
                });
            }
        return result;
    }

    /// <summary>The feature's best cached windows as token texts with the position of the maximum.</summary>
    public IReadOnlyList<ActivatingExample> TopExamples(FeatureId f) =>
        cache.Sketches(f.Layer).Top(f.Index).Take(Math.Min(MaxActExamples, CacheFinalizer.TopContexts))
            .Select(t => new ActivatingExample(cache.Window(t.Window).Select(tokenizer.TokenText).ToArray(), t.Position, t.Value)).ToArray();

    /// <summary>Builds the natural pool for <paramref name="features"/> (one model pass).</summary>
    public NaturalPool BuildPool(IReadOnlyList<FeatureId> features, CancellationToken cancel = default)
    {
        var probe = new FeatureProbe(model, transcoders, features, cache.Manifest.Options.SkipFirstPosition, tokenizer.EosTokenId ?? 0);
        return NaturalPool.Build(cache, tokenizer, probe, pool, cancel);
    }

    public FadeEvaluator Evaluator(NaturalPool naturalPool) =>
        new(model, transcoders, tokenizer, naturalPool, fade, cache.Manifest.Options.PrependBos, cache.Manifest.Options.SkipFirstPosition, cache.Manifest.Options.ContextLength);

    /// <summary>Describes, builds the pool, creates the judge from it and scores every (method, feature).</summary>
    public async Task<IReadOnlyList<FeatureScores>> RunAsync(IReadOnlyList<FeatureId> features, IReadOnlyList<string> methods, EvaluationSources sources,
        Func<NaturalPool, IJudge> judgeFactory, IFeatureExplainer explainer, IProgress<(int Done, int Total, string Item)>? progress = null, CancellationToken cancel = default)
    {
        features = features.Distinct().ToArray();
        CheckFeatures(features);
        var descriptions = await DescribeAsync(features, methods, sources, explainer, cancel).ConfigureAwait(false);
        var naturalPool = BuildPool(features, cancel);
        var judge = judgeFactory(naturalPool);
        var evaluator = Evaluator(naturalPool);
        var scores = new List<FeatureScores>();
        int done = 0;
        foreach (var d in descriptions)
        {
            scores.Add(await evaluator.EvaluateAsync(d, judge, cancel).ConfigureAwait(false));
            progress?.Report((++done, descriptions.Count, $"{d.Method} {d.Feature}"));
        }
        return scores;
    }
}
