using CircuitInsights.Models;
using CircuitInsights.Transcoders;
using CircuitInsights.WeightLens.Description;

namespace CircuitInsights.WeightLens.Tests.Support;

/// <summary>
/// A deliberately plain, per-feature WeightLens written like the authors' analyze_feature / generate_description: one
/// feature at a time, full vocabulary vectors in fp64, full sorts, z-scores over the top-k pool, one ReplacementModel.Run
/// per validated token or sequence, descriptions computed recursively on demand. The oracle for the fused path.
/// </summary>
internal sealed class ReferenceWeightLens(WeightLensModel model, WeightLensOptions options)
{
    readonly Dictionary<FeatureId, FeatureRecord> _memo = new();
    readonly ReplacementModel _replacement = new(model.Decoder, model.Transcoders);
    readonly float[] _embedding = model.Decoder.Weights.TokenEmbedding.ToArray();          // [V, D]
    readonly float[] _unembedding = model.Decoder.Weights.UnembedRaw.Transposed().ToArray(); // [V, D]
    readonly Dictionary<int, float[]> _decoders = model.Layers.ToDictionary(l => l, l => model.Transcoders[l].DecoderFor(l).ToArray());

    bool Gpt2 => model.Architecture == "gpt2";
    int FirstLayer => model.Layers.Min();
    int? ValidationBos => options.ValidationBosId ?? model.Tokenizer.BosTokenId;
    int? SequenceBos => options.SequenceBosId is int s ? (s < 0 ? null : s) : Gpt2 ? null : model.Tokenizer.BosTokenId;

    bool Inherits(int fromLayer) => options.Inheritance switch
    {
        InheritancePolicy.AllLayers => true,
        InheritancePolicy.FirstLayer => fromLayer == FirstLayer,
        _ => !Gpt2 || fromLayer == FirstLayer,
    };

    public FeatureRecord Analyze(FeatureId feature)
    {
        if (_memo.TryGetValue(feature, out var done)) return done;
        var tc = model.Transcoders[feature.Layer];
        int d = tc.DModel;
        var w = new double[d];
        for (int i = 0; i < d; i++) w[i] = tc.Encoder[i, feature.Index];
        var dec = new double[d];
        var decoder = tc.DecoderFor(feature.Layer);
        for (int i = 0; i < d; i++) dec[i] = decoder[feature.Index, i];

        int V = model.Vocab;
        var emb = new float[V];
        var unemb = new float[V];
        double scale = model.Decoder.Spec.EmbeddingScale;
        for (int v = 0; v < V; v++)
        {
            double s = 0, u = 0;
            for (int i = 0; i < d; i++) { s += _embedding[v * d + i] * w[i]; u += dec[i] * _unembedding[v * d + i]; }
            emb[v] = (float)(scale * s);
            unemb[v] = (float)u;
        }
        double total = (float)emb.Sum(x => Math.Abs((double)x));

        var (posIds, posVals) = Outliers(emb, options.TokenPool, options.ThresholdTokens, top: true);
        var (negIds, negVals) = Outliers(emb, options.TokenPool, options.ThresholdTokens, top: false);
        var (outPos, _) = Outliers(unemb, options.TokenPool, options.ThresholdTokens, top: true);
        var (outNeg, _) = Outliers(unemb, options.TokenPool, options.ThresholdTokens, top: false);

        var links = new List<(int Layer, int Index, double Value)>();
        foreach (int earlier in model.Layers.Where(l => l < feature.Layer).Order())
        {
            var source = _decoders[earlier];
            var proj = new float[source.Length / d];
            for (int g = 0; g < proj.Length; g++)
            {
                double s = 0;
                for (int i = 0; i < d; i++) s += source[g * d + i] * w[i];
                proj[g] = (float)s;
            }
            total += (float)proj.Sum(x => Math.Abs((double)x));
            var (ids, vals) = Outliers(proj, options.FeaturePool, options.ThresholdFeatures, top: true);
            for (int i = 0; i < ids.Length; i++) links.Add((earlier, ids[i], vals[i]));
        }

        var activations = posIds.Select(id => (double)Activation(feature, [.. Prefix(ValidationBos), id], Prefix(ValidationBos).Length)).ToArray();
        var contributions = links.Select(l => new FeatureContribution(l.Layer, l.Index, l.Value, Math.Abs(l.Value) / total))
            .OrderByDescending(c => c.RelativeContribution).ToArray();
        var posTokens = posIds.Select(model.TokenString).ToArray();

        // generate_description
        var soft = posTokens.Where((_, i) => activations[i] > 0).ToList();
        var desc = new List<string>(soft);
        foreach (var c in contributions)
        {
            if (!Inherits(c.FromLayer)) continue;
            var up = Analyze(new FeatureId(c.FromLayer, c.FromFeatureIdx));
            if (up.Description is null) continue;
            soft.AddRange(up.Description);
            if (options.Validation == ValidationMode.PerToken)
                desc.AddRange(up.Description.Where(s => Single(feature, s) > 0));
            else
            {
                var acts = SequenceActivations(feature, up.Description);
                desc.AddRange(up.Description.Where((_, i) => acts[i] > 0));
            }
        }
        string[]? description = null, descriptionSoft;
        bool validation = false;
        double validationSoft;
        if (desc.Count > 0)
        {
            description = desc.Distinct().Order(NumpyStrings.CodePointComparer.Instance).ToArray();
            descriptionSoft = soft.Distinct().Order(NumpyStrings.CodePointComparer.Instance).ToArray();
            validation = options.Validation == ValidationMode.PerToken
                ? description.Sum(s => Math.Max(OwnActivation(s, posTokens, activations), Single(feature, s))) > 0
                : SequenceActivations(feature, description).Sum() > 0;
        }
        else descriptionSoft = soft.ToArray();
        if (descriptionSoft.Length > 0)
        {
            var acts = options.Validation == ValidationMode.PerToken
                ? descriptionSoft.Select(s => Math.Max(OwnActivation(s, posTokens, activations), Single(feature, s))).ToArray()
                : SequenceActivations(feature, descriptionSoft).Select(x => (double)x).ToArray();
            validationSoft = (double)acts.Count(a => a > 0) / acts.Length;
        }
        else { descriptionSoft = null; validationSoft = description is null ? 0.0 : 1.0; }

        var posRel = posVals.Select(v => (double)(MathF.Abs(v) / (float)total)).ToArray();
        var record = new FeatureRecord
        {
            Layer = feature.Layer, FeatureIdx = feature.Index,
            TopPositiveTokens = posTokens, TopPositiveTokenIds = posIds,
            TopPositiveTokensContribution = posVals.Select(v => (double)v).ToArray(),
            TopPositiveTokensRelativeContribution = posRel,
            PositiveTokensActivation = activations,
            TopNegativeTokens = negIds.Select(model.TokenString).ToArray(), TopNegativeTokensIds = negIds,
            TopNegativeTokensContribution = negVals.Select(v => (double)v).ToArray(),
            TopNegativeTokensRelativeContribution = negVals.Select(v => (double)(MathF.Abs(v) / (float)total)).ToArray(),
            OutputTopPositiveTokens = outPos.Select(model.TokenString).ToArray(),
            OutputTopNegativeTokens = outNeg.Select(model.TokenString).ToArray(),
            FeatureToFeatureContributions = contributions,
            TotalInputInvariantDetectedContribution = posRel.Sum() + contributions.Sum(c => c.RelativeContribution),
            TotalInputInvariantContribution = total,
            DescriptionSoft = descriptionSoft, Description = description, Validation = validation, ValidationSoft = validationSoft,
        };
        _memo[feature] = record;
        return record;
    }

    static double OwnActivation(string s, string[] tokens, double[] activations)
    {
        double best = 0;
        for (int i = 0; i < tokens.Length; i++) if (tokens[i] == s) best = Math.Max(best, activations[i]);
        return best;
    }

    int[] Prefix(int? bos) => bos is int b ? [b] : [];

    /// <summary>Activation of the feature on [ValidationBos, id(s)].</summary>
    double Single(FeatureId feature, string s) =>
        model.LastTokenId(s) is int id ? Activation(feature, [.. Prefix(ValidationBos), id], Prefix(ValidationBos).Length) : 0;

    float[] SequenceActivations(FeatureId feature, IReadOnlyList<string> strings)
    {
        var prefix = Prefix(SequenceBos);
        var ids = strings.Select(model.LastTokenId).ToArray();
        var seq = prefix.Concat(ids.Where(i => i is not null).Select(i => i!.Value)).ToArray();
        var run = _replacement.Run(new TokenBatch([seq]), new ReplacementOptions { StopAtLayer = feature.Layer + 1, ZeroFirstPosition = false, Logits = LogitsMode.None });
        var active = run.Layers[feature.Layer].Active;
        return Enumerable.Range(prefix.Length, seq.Length - prefix.Length).Select(p => active.Get(p, feature.Index)).ToArray();
    }

    float Activation(FeatureId feature, int[] sequence, int position)
    {
        var run = _replacement.Run(new TokenBatch([sequence]), new ReplacementOptions { StopAtLayer = feature.Layer + 1, ZeroFirstPosition = false, Logits = LogitsMode.None });
        return run.Layers[feature.Layer].Active.Get(position, feature.Index);
    }

    /// <summary>Full sort (value best first, ties by lower index), pool = first k, z-score outliers within the pool.</summary>
    static (int[] Ids, float[] Values) Outliers(float[] values, int k, double threshold, bool top)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = top ? values[b].CompareTo(values[a]) : values[a].CompareTo(values[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var pool = order.Take(Math.Min(k, values.Length)).ToArray();
        double mean = pool.Average(i => (double)values[i]);
        double std = Math.Sqrt(pool.Sum(i => ((double)values[i] - mean) * ((double)values[i] - mean)) / (pool.Length - 1));
        var ids = pool.Where(i => top ? (values[i] - mean) / std > threshold : (values[i] - mean) / std < -threshold).ToArray();
        return (ids, ids.Select(i => values[i]).ToArray());
    }
}
