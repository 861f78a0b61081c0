using CircuitInsights.Models;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Validation;

/// <summary>
/// Measures transcoder feature activations on short token sequences (WeightLens validation, reference.md §3.4 step 2):
/// the sequences run through the exact model (no splicing) up to the highest layer read, in batches, and each requested
/// (layer, position, feature) activation is computed from the transcoder's input hook value. The values are bitwise those
/// of <see cref="ReplacementModel.Run"/> with <c>StopAtLayer = layer + 1</c> and <c>ZeroFirstPosition = false</c>, and
/// each depends only on its own sequence (not on the batch it ran in). Sequences are grouped by the highest layer they
/// need, so a token needed at several layers runs once.
/// </summary>
internal sealed class ActivationProbe(WeightLensModel model, int batchSize)
{
    /// <summary>Sequences run so far, and Σ sequences × blocks run (the forward work).</summary>
    public long Sequences { get; private set; }
    public long SequenceBlocks { get; private set; }

    /// <summary>Runs <paramref name="sequences"/> and returns, per sequence, the activations of its reads in order.
    /// <paramref name="progress"/> receives the number of sequences finished.</summary>
    public float[][] Run(IReadOnlyList<ProbeSequence> sequences, Action<int>? progress = null)
    {
        var results = new float[sequences.Count][];
        var columns = Columns(sequences);
        int maxPositions = model.Decoder.Spec.MaxPositions;
        for (int i = 0; i < sequences.Count; i++)
            if (sequences[i].Reads.Length == 0) results[i] = [];
        var order = Enumerable.Range(0, sequences.Count)
            .Where(i => sequences[i].Reads.Length > 0)
            .OrderByDescending(i => sequences[i].Reads.Max(r => r.Layer))
            .ThenBy(i => sequences[i].Tokens.Length)
            .ToArray();
        foreach (var seq in sequences)
        {
            if (seq.Tokens.Length == 0) throw new ArgumentException("empty probe sequence");
            if (seq.Tokens.Length > maxPositions) throw new CircuitInsightsException($"validation sequence of {seq.Tokens.Length} tokens exceeds the model's {maxPositions} positions");
        }
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var chunk = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            RunChunk(sequences, chunk, columns, results);
            progress?.Invoke(chunk.Length);
            CircuitInsights.WeightLens.Run.WeightLensRunner.ReleaseMemory(); // a forward pass leaves ~0.3 GB of large-object garbage
        }
        return results;
    }

    Dictionary<int, EncoderColumns> Columns(IReadOnlyList<ProbeSequence> sequences)
    {
        var byLayer = new Dictionary<int, HashSet<int>>();
        foreach (var s in sequences)
            foreach (var r in s.Reads)
            {
                if (!model.Transcoders.Has(r.Layer)) throw new CircuitInsightsException($"no transcoder for layer {r.Layer}");
                if ((uint)r.Feature >= (uint)model.Transcoders[r.Layer].Width) throw new CircuitInsightsException($"feature {r.Feature} is outside layer {r.Layer}");
                if ((uint)r.Position >= (uint)s.Tokens.Length) throw new ArgumentException($"read position {r.Position} outside a sequence of {s.Tokens.Length} tokens");
                if (!byLayer.TryGetValue(r.Layer, out var set)) byLayer[r.Layer] = set = [];
                set.Add(r.Feature);
            }
        return byLayer.ToDictionary(kv => kv.Key, kv => new EncoderColumns(model.Transcoders[kv.Key], kv.Value));
    }

    void RunChunk(IReadOnlyList<ProbeSequence> sequences, int[] chunk, Dictionary<int, EncoderColumns> columns, float[][] results)
    {
        var batch = new TokenBatch(chunk.Select(i => sequences[i].Tokens).ToArray(), padId: sequences[chunk[0]].Tokens[0]);
        int stop = chunk.Max(i => sequences[i].Reads.Max(r => r.Layer)) + 1;
        Sequences += chunk.Length;
        SequenceBlocks += (long)chunk.Length * stop;
        var hooks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (int layer in columns.Keys.Where(l => l < stop)) hooks[model.Transcoders.InputHook(layer).Name] = layer;
        foreach (int i in chunk) results[i] = new float[sequences[i].Reads.Length];
        var handler = HookHandlers.Create(h => hooks.ContainsKey(h.Name), (h, value) => Read(hooks[h.Name], value, batch, sequences, chunk, columns, results));
        model.Decoder.Forward(batch, new ForwardOptions { Hooks = handler, StopAtLayer = stop, Logits = LogitsMode.None });
    }

    static void Read(int layer, HookTensor value, TokenBatch batch, IReadOnlyList<ProbeSequence> sequences, int[] chunk,
        Dictionary<int, EncoderColumns> columns, float[][] results)
    {
        var cols = columns[layer];
        var tc = cols.Transcoder;
        int d = tc.DModel, t = batch.Positions;
        var buffer = value.Buffer;
        ParallelLoop.For(0, chunk.Length, b =>
        {
            var seq = sequences[chunk[b]];
            var output = results[chunk[b]];
            Span<float> centered = new float[d];
            int lastPosition = -1;
            float[]? denseRow = null;
            for (int j = 0; j < seq.Reads.Length; j++)
            {
                var read = seq.Reads[j];
                if (read.Layer != layer) continue;
                var x = buffer.AsSpan((b * t + read.Position) * d, d);
                if (tc.Activation == TranscoderActivation.TopK)
                {
                    if (read.Position != lastPosition)
                    {
                        denseRow = new float[tc.Width];
                        tc.PreActivations(x, 1, denseRow);
                        tc.Activate(denseRow);
                        lastPosition = read.Position;
                    }
                    output[j] = denseRow![read.Feature];
                    continue;
                }
                if (read.Position != lastPosition)
                {
                    cols.Center(x, centered);
                    lastPosition = read.Position;
                }
                output[j] = cols.Activation(centered, read.Feature);
            }
        });
    }
}
