using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// Peak memory of <see cref="AttributionGraphBuilder"/> beyond the model and transcoder weights (fp32 = 4 bytes), with
/// L layers, H heads, D d_model, V vocab, K transcoder width, T positions, NF active features, F selected features,
/// n logits, B batch size:
/// <code>
/// context       4·(L·H·T² + 2·T·V + 6·L·T·D + 2·T·K) + 16·NF   patterns, logits, per-layer [T, D] records, encoder scratch
/// decoder cache 4·D·Σ_f outputs(f)                              a_f·W_dec rows of every active feature (Attributor)
/// batch         8·c·(NF + (L+1)·T) + min(chunk memory, min(c, max chunk)·4·(T·(2D + Hq·Dh + Hkv·Dh) + NF))
///               rows and sweep buffers of one Attributor call of c targets: batches are cut into calls of
///               c = max(1, min(B, garbage allowance / g)) targets, g = 4·(L·T·(D + Hq·Dh + Hkv·Dh) + 2·(NF + (L+1)·T))
///               the garbage one target's sweep leaves behind
/// edge matrix   all features (F = NF): 4·(NF + n)·N,  N = NF + (L+1)·T + n
///               F &lt; NF: 4·(F + n)·(NF + (L+1)·T)   rows over every active feature while features are chosen
/// final matrix  F &lt; NF: 4·(F + n)·(F + (L+1)·T + n)     (all features: the edge matrix is the final matrix)
/// garbage       a + c·g, a = budget / 16 within [64 MiB, 1 GiB]   short-lived buffers between induced collections (GarbageGate)
/// </code>
/// The edge matrix dominates: it grows with F times the number of active features, which grows with T.
/// </summary>
public sealed record GraphMemoryEstimate(long Context, long DecoderCache, long Batch, long EdgeMatrix, long FinalMatrix, long Garbage)
{
    public long Total => Context + DecoderCache + Batch + EdgeMatrix + FinalMatrix + Garbage;

    /// <summary>Bytes one attribution target leaves as garbage: its sweep's per-layer buffers, its row and its contributions.</summary>
    public static long GarbagePerTarget(DecoderSpec spec, int positions, int activeFeatures) =>
        4L * ((long)spec.Layers * positions * (spec.DModel + spec.QueryWidth + spec.KvWidth) + 2L * (activeFeatures + (spec.Layers + 1L) * positions));

    /// <summary>Targets per Attributor call: as many of a batch as keep one call's garbage within the allowance.</summary>
    public static int CallSize(DecoderSpec spec, int positions, int activeFeatures, GraphBuildOptions options) =>
        (int)Math.Clamp(GarbageAllowance(options) / GarbagePerTarget(spec, positions, activeFeatures), 1, options.BatchSize);

    /// <summary>Bytes of short-lived allocations allowed between induced full collections.</summary>
    public static long GarbageAllowance(GraphBuildOptions options) => Math.Clamp(options.MemoryBudgetBytes / 16, 64L << 20, 1L << 30);

    /// <summary>The context part, known before the forward pass (without the 16·NF feature list).</summary>
    public static long ContextBytes(DecoderSpec spec, int width, int positions)
    {
        long L = spec.Layers, T = positions;
        return 4 * (L * spec.Heads * T * T + 2 * T * spec.Vocab + 6 * L * T * spec.DModel + 2 * T * width);
    }

    /// <param name="outputsPerFeature">Σ over active features of the number of layers each writes to (NF for per-layer transcoders).</param>
    public static GraphMemoryEstimate Of(DecoderSpec spec, int width, int positions, int activeFeatures, long outputsPerFeature,
        int logits, int selectedFeatures, GraphBuildOptions options)
    {
        long L = spec.Layers, T = positions, NF = activeFeatures, F = selectedFeatures, n = logits;
        long sources = NF + (L + 1) * T;
        long context = ContextBytes(spec, width, positions) + 16 * NF;
        long cache = 4L * spec.DModel * outputsPerFeature;
        int c = CallSize(spec, positions, activeFeatures, options);
        long perTarget = 4 * (T * (2L * spec.DModel + spec.QueryWidth + spec.KvWidth) + NF);
        long sweep = Math.Min(options.Attribute.ChunkMemoryBytes, Math.Min(c, options.Attribute.MaxChunk) * perTarget);
        long batch = 8L * c * sources + sweep;
        long garbage = GarbageAllowance(options) + c * GarbagePerTarget(spec, positions, activeFeatures);
        long edge, final;
        if (F >= NF) { edge = 4 * (NF + n) * (sources + n); final = 0; }
        else { edge = 4 * (F + n) * sources; final = 4 * (F + n) * (F + (L + 1) * T + n); }
        return new GraphMemoryEstimate(context, cache, batch, edge, final, garbage);
    }

    /// <summary>The largest feature-node count F ≤ <paramref name="maxFeatures"/> whose estimate fits the budget, or −1
    /// when none does (the estimate grows with F).</summary>
    public static int LargestFeatureCount(DecoderSpec spec, int width, int positions, int activeFeatures, long outputsPerFeature,
        int logits, int maxFeatures, GraphBuildOptions options)
    {
        int lo = -1, hi = Math.Min(maxFeatures, activeFeatures);
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Of(spec, width, positions, activeFeatures, outputsPerFeature, logits, mid, options).Total <= options.MemoryBudgetBytes) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>Σ over active features of the number of output layers each writes to.</summary>
    public static long OutputsPerFeature(TranscoderSet set, IEnumerable<ActiveFeature> features, int layers) =>
        features.Sum(f => (long)Math.Min(set[f.Layer].OutputLayerCount, layers - f.Layer));

    /// <summary>Bytes in binary units (KiB, MiB, GiB) with two decimals.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1L << 20 => $"{bytes / 1024.0:F2} KiB",
        < 1L << 30 => $"{bytes / (double)(1L << 20):F2} MiB",
        _ => $"{bytes / (double)(1L << 30):F2} GiB",
    };

    public override string ToString() =>
        $"{Size(Total)} (edge matrix {Size(EdgeMatrix)}, final matrix {Size(FinalMatrix)}, context {Size(Context)}, decoder cache {Size(DecoderCache)}, batch {Size(Batch)}, garbage {Size(Garbage)})";
}
