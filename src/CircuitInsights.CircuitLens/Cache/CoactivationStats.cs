using CircuitInsights.Formats;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// Co-activation statistics for TWERA (Anthropic "Circuit Tracing", paper.md §5):
/// TWERA_{s→t} = (E[a_t·a_s] / E[a_t]) · V_{s→t}, with V_{s→t} = W_dec^s·w_enc^t the residual-direct virtual weight and
/// expectations over token positions. For every target feature t of <see cref="TargetLayer"/> the <see cref="Pairs"/>
/// upstream features (of earlier cached layers) with the largest |V| are tracked; Σ a_t·a_s over positions is kept
/// exactly (fixed point), Σ a_t comes from the target layer's <see cref="FeatureSketches"/>.
/// </summary>
public sealed class CoactivationStats
{
    public int TargetLayer { get; }
    public int Features { get; }
    public int Pairs { get; }
    public readonly int[] SourceLayer, SourceFeature;   // [F * P], −1 when fewer pairs
    public readonly float[] VirtualWeight;              // [F * P]
    public readonly Int128[] SumProduct;                // [F * P]

    CoactivationStats(int targetLayer, int features, int pairs)
    {
        TargetLayer = targetLayer; Features = features; Pairs = pairs;
        SourceLayer = new int[features * pairs]; SourceFeature = new int[features * pairs];
        VirtualWeight = new float[features * pairs]; SumProduct = new Int128[features * pairs];
        Array.Fill(SourceLayer, -1);
    }

    /// <summary>Chooses, per target feature, the upstream features with the largest |virtual weight| (streamed GEMM, never the full matrix).</summary>
    public static CoactivationStats Create(TranscoderSet set, int targetLayer, IEnumerable<int> upstreamLayers, int pairs)
    {
        var target = set[targetLayer];
        int F = target.Width;
        var stats = new CoactivationStats(targetLayer, F, pairs);
        var candidates = new List<(int Layer, ColumnTopK Top, ColumnTopK Bottom)>();
        using var encoder = PackedMatrix.Pack(target.Encoder); // [D, F]
        foreach (int l in upstreamLayers.Where(l => l < targetLayer))
        {
            var dec = set[l].DecoderFor(l); // [K', D]
            var top = new ColumnTopK(F, pairs, largest: true);
            var bottom = new ColumnTopK(F, pairs, largest: false);
            Gemm.MultiplyStreaming(dec, encoder, 1024, (r0, rows, c0, cols, tile, ld) =>
            {
                top.Add(tile, rows, ld, r0, c0, cols);
                bottom.Add(tile, rows, ld, r0, c0, cols);
            });
            candidates.Add((l, top, bottom));
        }
        for (int t = 0; t < F; t++)
        {
            var best = new List<(int Layer, int Feature, float V)>();
            foreach (var (l, top, bottom) in candidates)
            {
                var (rows, values) = top.Result(t);
                for (int i = 0; i < rows.Length; i++) best.Add((l, rows[i], values[i]));
                (rows, values) = bottom.Result(t);
                for (int i = 0; i < rows.Length; i++) best.Add((l, rows[i], values[i]));
            }
            var chosen = best.Distinct().OrderByDescending(b => Math.Abs(b.V)).ThenBy(b => b.Layer).ThenBy(b => b.Feature).Take(pairs).ToArray();
            for (int i = 0; i < chosen.Length; i++)
            {
                stats.SourceLayer[t * pairs + i] = chosen[i].Layer;
                stats.SourceFeature[t * pairs + i] = chosen[i].Feature;
                stats.VirtualWeight[t * pairs + i] = chosen[i].V;
            }
        }
        return stats;
    }

    /// <summary>Accumulates a_t·a_s at one position (row) from the sparse activations of all cached layers.</summary>
    public void Add(int row, IReadOnlyDictionary<int, SparseFeatures> layers)
    {
        var active = layers[TargetLayer];
        var feats = active.FeaturesOf(row);
        var vals = active.ValuesOf(row);
        for (int i = 0; i < feats.Length; i++)
        {
            int o = feats[i] * Pairs;
            for (int p = 0; p < Pairs; p++)
            {
                int sl = SourceLayer[o + p];
                if (sl < 0) break;
                float a = layers[sl].Get(row, SourceFeature[o + p]);
                if (a != 0) SumProduct[o + p] += ExactSum.ToFixed((double)vals[i] * a);
            }
        }
    }

    /// <summary>TWERA of pair <paramref name="pair"/> of target <paramref name="feature"/> given Σ a_t (position-level).</summary>
    public double Twera(int feature, int pair, Int128 sumTarget)
    {
        int o = feature * Pairs + pair;
        if (SourceLayer[o] < 0 || sumTarget == 0) return 0;
        return ExactSum.ToDouble(SumProduct[o]) / ExactSum.ToDouble(sumTarget) * VirtualWeight[o];
    }

    public void Merge(CoactivationStats other)
    {
        if (other.Features != Features || other.Pairs != Pairs || !other.SourceFeature.AsSpan().SequenceEqual(SourceFeature) || !other.SourceLayer.AsSpan().SequenceEqual(SourceLayer))
            throw new CircuitInsightsException($"cannot merge co-activation statistics of layer {TargetLayer}: different pairs");
        for (int i = 0; i < SumProduct.Length; i++) SumProduct[i] += other.SumProduct[i];
    }

    public void Save(string path)
    {
        var w = new SafeTensorsWriter();
        w.Metadata["target_layer"] = TargetLayer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        w.Add("source_layer", SourceLayer, [Features, Pairs]);
        w.Add("source_feature", SourceFeature, [Features, Pairs]);
        w.Add("virtual_weight", VirtualWeight, [Features, Pairs]);
        w.Add("sum_product_hi", SumProduct.Select(x => (long)(x >> 64)).ToArray(), [Features, Pairs]);
        w.Add("sum_product_lo", SumProduct.Select(x => (long)(ulong)(x & ulong.MaxValue)).ToArray(), [Features, Pairs]);
        w.Write(path);
    }

    public static CoactivationStats Load(string path)
    {
        using var src = SafeTensorsFile.Open(path);
        var shape = src.Tensors.First(t => t.Name == "virtual_weight").Shape;
        int layer = int.Parse(src.Metadata["target_layer"], System.Globalization.CultureInfo.InvariantCulture);
        var s = new CoactivationStats(layer, shape[0], shape[1]);
        int n = shape[0] * shape[1];
        Cast<int>(src, "source_layer", n).CopyTo(s.SourceLayer, 0);
        Cast<int>(src, "source_feature", n).CopyTo(s.SourceFeature, 0);
        src.Load("virtual_weight").ToFloatArray().CopyTo(s.VirtualWeight, 0);
        var hi = Cast<long>(src, "sum_product_hi", n);
        var lo = Cast<long>(src, "sum_product_lo", n);
        for (int i = 0; i < n; i++) s.SumProduct[i] = ((Int128)hi[i] << 64) | (Int128)(ulong)lo[i];
        return s;
    }

    static T[] Cast<T>(ITensorSource src, string name, int count) where T : unmanaged
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(src.Load(name).Raw.Span);
        return span.Length == count ? span.ToArray() : throw new InvalidModelFileException(src.Location, $"tensor '{name}' has {span.Length} values, expected {count}");
    }
}
