using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Metrics;
using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Activations;

/// <summary>
/// Runs the model on token sequences and returns, for a fixed list of features, each sequence's text activation
/// (<see cref="TextActivation"/>) — what FADE feeds into Clarity, Responsiveness and Purity. The exact model runs (no
/// splicing, as in the activation cache); each feature is encoded from its transcoder's input hook
/// (<see cref="FeatureColumns"/>); the forward pass stops after the deepest layer needed; position 0 is skipped when
/// <c>zeroFirstPosition</c> (the cache's <c>skip_first_position</c>, circuit-tracer's BOS convention).
/// </summary>
public sealed class FeatureProbe
{
    readonly DecoderModel _model;
    readonly TranscoderSet _transcoders;
    readonly FeatureId[] _features;
    readonly Dictionary<int, (FeatureColumns Columns, int[] Slots)> _byLayer = new();
    readonly bool _zeroFirst;
    readonly int _padId;
    readonly Dictionary<string, int> _inputHooks;

    public FeatureProbe(DecoderModel model, TranscoderSet transcoders, IReadOnlyList<FeatureId> features, bool zeroFirstPosition, int padId = 0)
    {
        _model = model; _transcoders = transcoders; _features = features.Distinct().ToArray(); _zeroFirst = zeroFirstPosition; _padId = padId;
        foreach (var g in _features.Select((f, i) => (f, i)).GroupBy(x => x.f.Layer))
        {
            if (!transcoders.Has(g.Key)) throw new CircuitInsightsException($"feature L{g.Key}: the transcoder set has no layer {g.Key}");
            _byLayer[g.Key] = (new FeatureColumns(transcoders[g.Key], g.Select(x => x.f.Index).ToArray()), g.Select(x => x.i).ToArray());
        }
        _inputHooks = _byLayer.Keys.ToDictionary(l => transcoders.InputHook(l).Name, l => l);
    }

    public IReadOnlyList<FeatureId> Features => _features;

    /// <summary>Text activations [sequences, features] (row-major).</summary>
    public float[] TextActivations(IReadOnlyList<int[]> sequences, int batchSize = 16, CancellationToken cancel = default)
    {
        int nf = _features.Length;
        var result = new float[sequences.Count * nf];
        if (nf == 0) return result;
        int stop = _byLayer.Keys.Max() + 1;
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, sequences.Count - start);
            var batch = new TokenBatch(Enumerable.Range(start, count).Select(i => sequences[i]).ToArray(), _padId);
            var best = new float[count * nf];
            var handler = HookHandlers.Create(h => _inputHooks.ContainsKey(h.Name), (h, value) =>
            {
                int layer = _inputHooks[h.Name];
                var (cols, slots) = _byLayer[layer];
                int rows = batch.BatchSize * batch.Positions, n = slots.Length;
                var acts = new float[rows * n];
                cols.Compute(value.Span, rows, acts);
                for (int b = 0; b < batch.BatchSize; b++)
                    for (int t = _zeroFirst ? 1 : 0; t < batch.Lengths[b]; t++)
                        for (int j = 0; j < n; j++)
                        {
                            float a = acts[(b * batch.Positions + t) * n + j];
                            ref float slot = ref best[b * nf + slots[j]];
                            if (Math.Abs(a) > Math.Abs(slot)) slot = a;
                        }
            });
            _model.Forward(batch, new ForwardOptions { Hooks = handler, StopAtLayer = stop, Logits = LogitsMode.None });
            best.CopyTo(result, start * nf);
        }
        return result;
    }
}
