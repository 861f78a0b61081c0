using CircuitInsights.CircuitLens;
using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Activations;

/// <summary>
/// Greedy generation while one transcoder feature is modified, for FADE's Faithfulness (paper.md §6). The change is made
/// through the transcoder, as circuit-tracer's interventions do (<c>Interventions.Run</c>): at the feature's input hook
/// its live activation a is computed, and at each of its output hooks (the output layers of a cross-layer transcoder)
/// (a' − a)·W_dec[f] is added, with a' = m·a (<see cref="SteeringMode.Multiply"/>) or m·a_max
/// (<see cref="SteeringMode.ClampToMax"/>), at every position (position 0 excluded when <c>zeroFirstPosition</c>). The
/// rest of the model runs live. Prompts of one call must have equal length; all are decoded together, one forward of
/// the whole batch per new token (argmax, lowest id on ties, as <see cref="Generation.Greedy"/>).
/// </summary>
public sealed class SteeredGenerator(DecoderModel model, TranscoderSet transcoders, bool zeroFirstPosition)
{
    /// <summary>The prompts followed by <paramref name="newTokens"/> generated tokens each.</summary>
    public int[][] Generate(IReadOnlyList<int[]> prompts, int newTokens, FeatureId feature, double factor, SteeringMode mode = SteeringMode.Multiply,
        float maxActivation = 0, CancellationToken cancel = default)
    {
        if (prompts.Count == 0) return [];
        int length = prompts[0].Length;
        if (prompts.Any(p => p.Length != length || p.Length == 0)) throw new ArgumentException("steered generation needs non-empty prompts of equal length");
        if (model.Spec.Positions == PositionKind.Learned && length + newTokens > model.Spec.MaxPositions)
            throw new CircuitInsightsException($"prompt of {length} tokens + {newTokens} generated exceeds the model's {model.Spec.MaxPositions} positions");
        var tc = transcoders[feature.Layer];
        var columns = new FeatureColumns(tc, [feature.Index]);
        string input = transcoders.InputHook(feature.Layer).Name;
        var outputs = Enumerable.Range(tc.Layer, tc.OutputLayerCount).Where(l => l < model.Spec.Layers)
            .ToDictionary(l => transcoders.OutputHook(l).Name, l => l);
        var decoderRows = outputs.Values.ToDictionary(l => l, l =>
        {
            var row = new float[tc.DOut];
            tc.DecoderFor(l).CopyRow(feature.Index, row);
            return row;
        });
        bool identity = mode == SteeringMode.Multiply && factor == 1;
        var sequences = prompts.Select(p => p.ToList()).ToArray();
        int d = model.Spec.DModel;
        for (int step = 0; step < newTokens; step++)
        {
            cancel.ThrowIfCancellationRequested();
            var batch = new TokenBatch(sequences.Select(s => s.ToArray()).ToArray());
            int rows = batch.BatchSize * batch.Positions;
            var delta = new float[rows];
            var handler = identity ? null : HookHandlers.Create(h => h.Name == input || outputs.ContainsKey(h.Name), (h, value) =>
            {
                if (h.Name == input)
                {
                    var a = new float[rows];
                    columns.Compute(value.Span, rows, a);
                    for (int r = 0; r < rows; r++)
                    {
                        bool skip = zeroFirstPosition && r % batch.Positions == 0;
                        float target = mode == SteeringMode.Multiply ? (float)(factor * a[r]) : (float)(factor * maxActivation);
                        delta[r] = skip ? 0 : target - a[r];
                    }
                }
                if (outputs.TryGetValue(h.Name, out int outLayer))
                    for (int r = 0; r < rows; r++)
                        if (delta[r] != 0)
                        {
                            var dst = value.Span.Slice(r * d, d);
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(decoderRows[outLayer], delta[r], dst, dst);
                        }
            });
            var logits = model.Forward(batch, new ForwardOptions { Hooks = handler, Logits = LogitsMode.Last }).Logits!;
            int v = logits.Length / batch.BatchSize;
            for (int b = 0; b < batch.BatchSize; b++)
            {
                var row = logits.AsSpan(b * v, v);
                int best = 0;
                for (int i = 1; i < v; i++) if (row[i] > row[best]) best = i;
                sequences[b].Add(best);
            }
        }
        return sequences.Select(s => s.ToArray()).ToArray();
    }
}
