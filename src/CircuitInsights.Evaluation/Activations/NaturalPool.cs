using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.CircuitLens.Corpus;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Activations;

/// <summary>
/// The natural samples of an evaluation and their activations. FADE needs an activation for every natural sample (for
/// Clarity's negatives and for the percentile bands of the rated subset), which the cache's sketches do not give (they keep
/// only active windows). So a bounded set of windows is re-created deterministically from the cached corpus
/// (<see cref="TokenWindows"/> with the cache's options) and run through the model once for all evaluated features:
/// <list type="bullet">
/// <item><see cref="NaturalPoolOptions.Windows"/> windows at a fixed stride over the whole corpus (an unbiased sample);</item>
/// <item>plus, for each feature, its best cached windows (stored tokens), added to that feature's set only;</item>
/// <item>each window is cut into samples of <see cref="NaturalPoolOptions.SampleTokens"/> tokens (each run on its own,
/// with BOS), so samples are short texts like FADE's dataset samples rather than whole cache windows.</item>
/// </list>
/// Bias: a sparse feature fires in few uniform windows, so its top windows are added — this over-represents its strongest
/// contexts (like FADE's 10 % top share, but in the pool itself), which raises Clarity's negatives' activations slightly
/// and guarantees high-activation samples in the top band for Responsiveness/Purity. Metrics are therefore measured on
/// "corpus + the feature's best contexts", not on the corpus alone (docs/evaluation.md).
/// </summary>
public sealed class NaturalPool
{
    readonly float[] _activations; // [samples, features]
    readonly Dictionary<FeatureId, int> _featureSlot;
    readonly Dictionary<FeatureId, int[]> _members;

    public IReadOnlyList<NaturalSample> Samples { get; }
    public IReadOnlyList<FeatureId> Features { get; }

    NaturalPool(IReadOnlyList<NaturalSample> samples, IReadOnlyList<FeatureId> features, float[] activations, Dictionary<FeatureId, int[]> members)
    {
        Samples = samples; Features = features; _activations = activations; _members = members;
        _featureSlot = features.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i);
    }

    /// <summary>Indices of the samples that form <paramref name="feature"/>'s natural set (uniform windows ∪ its top windows).</summary>
    public IReadOnlyList<int> SamplesOf(FeatureId feature) => _members[feature];

    public float Activation(int sample, FeatureId feature) => _activations[sample * Features.Count + _featureSlot[feature]];

    /// <summary>Activations of the feature's natural set, in <see cref="SamplesOf"/> order.</summary>
    public double[] ActivationsOf(FeatureId feature) => SamplesOf(feature).Select(i => (double)Activation(i, feature)).ToArray();

    public static NaturalPool Build(ActivationCache cache, ITokenizer tokenizer, FeatureProbe probe, NaturalPoolOptions options, CancellationToken cancel = default)
    {
        var o = cache.Manifest.Options;
        int first = o.PrependBos ? 1 : 0;
        var samples = new List<NaturalSample>();
        long total = Math.Max(cache.Manifest.NextWindow, cache.Manifest.Windows);
        if (options.Windows > 0 && total > 0)
        {
            int taken = 0;
            long stride = Math.Max(1, (total + options.Windows - 1) / options.Windows);
            IEnumerable<TokenWindow> windows;
            try { windows = TokenWindows.Create(CorpusReader.Read(cache.Manifest.Corpus, o.TextField), tokenizer, o.Windows); }
            catch (CircuitInsightsException e) { throw new CircuitInsightsException($"natural samples are re-created from the cached corpus, which cannot be read: {e.Message}", e); }
            foreach (var w in windows)
            {
                cancel.ThrowIfCancellationRequested();
                if (w.Index % stride != 0) continue;
                samples.AddRange(Pieces(w.Index, w.Tokens, first, options.SampleTokens, tokenizer, uniform: true));
                if (++taken >= options.Windows) break;
            }
        }
        var uniform = Enumerable.Range(0, samples.Count).ToArray();
        var byWindow = samples.Select((s, i) => (s.Window, i)).GroupBy(x => x.Window).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToList());
        var members = new Dictionary<FeatureId, int[]>();
        foreach (var f in probe.Features.Distinct())
        {
            var own = new List<int>(uniform);
            if (options.TopWindowsPerFeature > 0)
                foreach (var t in cache.Sketches(f.Layer).Top(f.Index).Take(Math.Min(options.TopWindowsPerFeature, CacheFinalizer.TopContexts)))
                {
                    if (!byWindow.TryGetValue(t.Window, out var idx))
                    {
                        var pieces = Pieces(t.Window, cache.Window(t.Window), first, options.SampleTokens, tokenizer, uniform: false);
                        idx = Enumerable.Range(samples.Count, pieces.Count).ToList();
                        samples.AddRange(pieces);
                        byWindow[t.Window] = idx;
                    }
                    foreach (int i in idx) if (!own.Contains(i)) own.Add(i);
                }
            members[f] = own.ToArray();
        }
        var acts = probe.TextActivations(samples.Select(s => s.Tokens).ToArray(), options.BatchSize, cancel);
        return new NaturalPool(samples, probe.Features, acts, members);
    }

    /// <summary>The window cut into pieces of <paramref name="length"/> tokens (BOS included when the window has one).</summary>
    static List<NaturalSample> Pieces(long window, int[] tokens, int first, int length, ITokenizer tokenizer, bool uniform)
    {
        var list = new List<NaturalSample>();
        int body = Math.Max(1, length - first);
        for (int start = first; start < tokens.Length; start += body)
        {
            int end = Math.Min(tokens.Length, start + body);
            if (end - start + first < Math.Min(4, tokens.Length)) break;
            var piece = new int[first + end - start];
            if (first == 1) piece[0] = tokens[0];
            Array.Copy(tokens, start, piece, first, end - start);
            list.Add(new NaturalSample(window, start - first, piece, tokenizer.Decode(tokens[start..end]), uniform));
        }
        return list;
    }
}
