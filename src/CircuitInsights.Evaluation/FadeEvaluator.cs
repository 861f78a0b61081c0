using System.Diagnostics;
using System.Globalization;
using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Activations;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Judges;
using CircuitInsights.Evaluation.Metrics;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation;

/// <summary>
/// Scores one description of one feature with FADE (paper.md §6), in FADE's order:
/// <list type="number">
/// <item>Clarity: the judge writes concept samples; their text activations (run through the model) against the
/// feature's natural samples (<see cref="NaturalPool"/>);</item>
/// <item>Responsiveness and Purity: <see cref="FadeOptions.RatedSamples"/> natural samples drawn by
/// <see cref="StratifiedSampler"/> are rated 0/1/2 by the judge; 0 vs 2 split of their activations;</item>
/// <item>Faithfulness, only when Clarity and Responsiveness reach <see cref="FadeOptions.GiniThreshold"/>: for each factor m
/// the same prompts (starts of natural windows, chosen once per run) are continued greedily with the feature steered
/// (<see cref="SteeredGenerator"/>), the continuations rated, and R_m = share rated 2.</item>
/// </list>
/// The unsteered continuations (m = 1) are computed once and shared by all features.
/// </summary>
public sealed class FadeEvaluator
{
    readonly DecoderModel _model;
    readonly TranscoderSet _transcoders;
    readonly ITokenizer _tokenizer;
    readonly NaturalPool _pool;
    readonly FadeOptions _o;
    readonly bool _prependBos, _zeroFirst;
    readonly int _maxTokens;
    int[][]? _prompts;
    int[][]? _unsteered;
    readonly object _lock = new();

    /// <param name="prependBos">Prepend BOS to concept samples (the cache's <c>prepend_bos</c>).</param>
    /// <param name="zeroFirstPosition">Skip position 0 (the cache's <c>skip_first_position</c>).</param>
    /// <param name="maxTokens">Concept samples are cut to this many tokens (the cache's context length).</param>
    public FadeEvaluator(DecoderModel model, TranscoderSet transcoders, ITokenizer tokenizer, NaturalPool pool, FadeOptions options,
        bool prependBos, bool zeroFirstPosition, int maxTokens)
    {
        _model = model; _transcoders = transcoders; _tokenizer = tokenizer; _pool = pool; _o = options;
        _prependBos = prependBos; _zeroFirst = zeroFirstPosition; _maxTokens = maxTokens;
    }

    public async Task<FeatureScores> EvaluateAsync(FeatureDescription d, IJudge judge, CancellationToken cancel = default)
    {
        var sw = Stopwatch.StartNew();
        var f = d.Feature;
        var basic = new FeatureScores { Method = d.Method, Layer = f.Layer, Feature = f.Index, Judge = judge.Name, Described = d.IsDescribed, Description = d.IsDescribed ? d.Concept : null, Tokens = d.Tokens };
        if (!d.IsDescribed) return basic;
        var members = _pool.SamplesOf(f);
        var natural = _pool.ActivationsOf(f);

        // 1. Clarity
        var concept = await judge.GenerateConceptSamplesAsync(d, cancel).ConfigureAwait(false);
        var conceptActs = ConceptActivations(f, concept, cancel);
        double? clarity = FadeMetrics.Clarity(natural, conceptActs);

        // 2. Responsiveness, Purity
        var rng = new Random(HashCode.Combine(_o.Seed, f.Layer, f.Index));
        var chosen = StratifiedSampler.Sample(natural, _o.RatedSamples, _o.TopShare, rng);
        var texts = chosen.Select(i => _pool.Samples[members[i]].Text).ToArray();
        var ratings = await judge.RateAsync(d, texts, cancel).ConfigureAwait(false);
        var (responsiveness, purity) = FadeMetrics.ResponsivenessPurity(chosen.Select(i => natural[i]).ToArray(), ratings);
        var counts = new int[4];
        foreach (var r in ratings) counts[r ?? 3]++;

        // 3. Faithfulness (gated)
        double? faithfulness = null;
        Dictionary<string, double>? rates = null;
        if (_o.Faithfulness && FadeMetrics.FaithfulnessGate(clarity, responsiveness, _o.GiniThreshold))
        {
            var shares = await FaithfulnessRates(d, judge, natural.Length == 0 ? 0 : (float)natural.Max(), cancel).ConfigureAwait(false);
            faithfulness = FadeMetrics.Faithfulness(shares);
            rates = shares.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value);
        }
        return basic with
        {
            Clarity = clarity, Responsiveness = responsiveness, Purity = purity, Faithfulness = faithfulness, FaithfulnessRates = rates,
            NaturalSamples = natural.Length, ConceptSamples = concept.Count, Ratings = counts,
            MeanNaturalActivation = natural.Length == 0 ? null : natural.Average(),
            MeanConceptActivation = conceptActs.Length == 0 ? null : conceptActs.Average(),
            Seconds = sw.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Text activations of concept samples (tokenised like the cache's windows, cut to its context length).</summary>
    public double[] ConceptActivations(FeatureId f, IReadOnlyList<string> samples, CancellationToken cancel = default)
    {
        var sequences = samples.Select(s => _tokenizer.Encode(s, addBos: _prependBos)).Where(t => t.Length > 0)
            .Select(t => t.Length > _maxTokens ? t[.._maxTokens] : t).ToArray();
        if (sequences.Length == 0) return [];
        var probe = new FeatureProbe(_model, _transcoders, [f], _zeroFirst, _tokenizer.EosTokenId ?? 0);
        return probe.TextActivations(sequences, 16, cancel).Select(a => (double)a).ToArray();
    }

    async Task<Dictionary<double, double>> FaithfulnessRates(FeatureDescription d, IJudge judge, float maxActivation, CancellationToken cancel)
    {
        var prompts = Prompts();
        var factors = _o.Factors.Contains(0) ? _o.Factors : _o.Factors.Prepend(0).ToArray();
        var generator = new SteeredGenerator(_model, _transcoders, _zeroFirst);
        var shares = new Dictionary<double, double>();
        foreach (double m in factors.Distinct())
        {
            int[][] sequences = m == 1 && _o.Steering == SteeringMode.Multiply ? Unsteered(generator) : Generate(generator, prompts, d.Feature, m, maxActivation, cancel);
            var texts = sequences.Select(s => _tokenizer.Decode(s[^Math.Min(_o.GenerationLength, s.Length)..])).ToArray();
            var ratings = await judge.RateAsync(d, texts, cancel).ConfigureAwait(false);
            int rated = ratings.Count(r => r is not null);
            shares[m] = rated == 0 ? double.NaN : ratings.Count(r => r == 2) / (double)rated;
        }
        return shares;
    }

    int[][] Generate(SteeredGenerator generator, int[][] prompts, FeatureId f, double m, float max, CancellationToken cancel) =>
        prompts.Chunk(Math.Max(1, _o.GenerationBatch)).SelectMany(c => generator.Generate(c, _o.GenerationLength, f, m, _o.Steering, max, cancel)).ToArray();

    int[][] Unsteered(SteeredGenerator generator)
    {
        lock (_lock)
            return _unsteered ??= Generate(generator, Prompts(), new FeatureId(_transcoders.Layers.Min(), 0), 1, 0, default);
    }

    /// <summary>The faithfulness prompts: starts of uniformly chosen natural windows, the same for every feature.</summary>
    int[][] Prompts()
    {
        lock (_lock)
        {
            if (_prompts is not null) return _prompts;
            var candidates = _pool.Samples.Where(s => s.Uniform && s.Tokens.Length >= _o.PromptTokens).ToList();
            var rng = new Random(_o.Seed);
            for (int i = candidates.Count - 1; i > 0; i--) { int j = rng.Next(i + 1); (candidates[i], candidates[j]) = (candidates[j], candidates[i]); }
            return _prompts = candidates.Take(_o.FaithfulnessPrompts).Select(s => s.Tokens[.._o.PromptTokens]).ToArray();
        }
    }
}
