using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Storage.Import;

/// <summary>A stored context whose per-token activations are wanted: feature (layer, index) over a token window.</summary>
public readonly record struct ActivationRequest(long ContextId, int Layer, int Feature, long Window, int[] Tokens);

/// <summary>
/// Recomputes a feature's activation at every position of stored context windows by running the replacement model
/// (<see cref="ReplacementModel.Run"/>, exact forward, stopping after the deepest requested layer, no logits) over the
/// longest token list known for each window (every request of a window gets activations over all of it). Requests are
/// grouped by window so one forward pass serves every feature shown on that window; at most <c>maxWindows</c> windows
/// are run (in the order of first request), so the cost of an import is bounded.
/// </summary>
public static class TokenActivations
{
    public static Dictionary<long, float[]> Compute(ReplacementModel model, IReadOnlyList<ActivationRequest> requests, bool zeroFirstPosition,
        int maxWindows, int batchSize = 8, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        var result = new Dictionary<long, float[]>();
        var byWindow = new Dictionary<long, List<ActivationRequest>>();
        var order = new List<long>();
        foreach (var r in requests)
        {
            if (!model.Transcoders.Has(r.Layer) || r.Tokens.Length == 0) continue;
            if (!byWindow.TryGetValue(r.Window, out var list))
            {
                if (order.Count >= maxWindows) continue;
                byWindow[r.Window] = list = [];
                order.Add(r.Window);
            }
            list.Add(r);
        }
        int vocab = model.Model.Spec.Vocab, done = 0;
        foreach (var chunk in order.Chunk(Math.Max(1, batchSize)))
        {
            cancel.ThrowIfCancellationRequested();
            // the longest token list of a window (CircuitLens stores prefixes); activations cover all of it
            var seqs = chunk.Select(w => byWindow[w].MaxBy(r => r.Tokens.Length).Tokens).ToArray();
            foreach (var s in seqs)
                foreach (int t in s)
                    if ((uint)t >= (uint)vocab) throw new CircuitInsightsException($"stored window token id {t} is outside the model's vocabulary [0, {vocab})");
            int stop = chunk.SelectMany(w => byWindow[w]).Max(r => r.Layer) + 1;
            var run = model.Run(new TokenBatch(seqs), new ReplacementOptions { ZeroFirstPosition = zeroFirstPosition, StopAtLayer = stop, Logits = LogitsMode.None });
            int T = run.Batch.Positions;
            for (int b = 0; b < chunk.Length; b++)
                foreach (var r in byWindow[chunk[b]])
                {
                    var active = run.Layers[r.Layer].Active;
                    var acts = new float[seqs[b].Length];
                    for (int t = 0; t < acts.Length; t++) acts[t] = active.Get(b * T + t, r.Feature);
                    result[r.ContextId] = acts;
                }
            done += chunk.Length;
            progress?.Report((done, order.Count));
        }
        return result;
    }
}
