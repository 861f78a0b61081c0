using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Projection;

/// <summary>
/// The fused, batched weight projections of WeightLens (reference.md §3.4 steps 1, 3, 4) for a batch of features of one
/// layer ℓ, never looping over features and never materialising V×K or K×K:
/// <code>
/// emb      [V, nb]  = W_E[V, D]·W_enc[:, batch]      × EmbeddingScale   → top/bottom pools (k = TokenPool), Σ|·|
/// unemb    [V, nb]  = W_Uᵀ[V, D]·W_dec[batch, :]ᵀ                       → top/bottom pools (k = TokenPool)
/// proj_ℓ'  [K', nb] = W_dec^ℓ'[K', D]·W_enc[:, batch]  for every ℓ' &lt; ℓ → top pool (k = FeaturePool), Σ|·|
/// </code>
/// Each product is streamed in row blocks through <see cref="Gemm.MultiplyStreaming"/> into <see cref="ColumnPools"/>
/// (multi-threaded; memory per batch ≈ nb × TokenPool × 24 bytes). Every feature's result depends only on its own
/// columns, so it is identical whatever batch it is computed in.
/// </summary>
internal sealed class LayerProjector(WeightLensModel model, WeightLensOptions options)
{
    /// <summary>Rows per streamed tile (fixed: the per-block Σ|·| makes results depend on it).</summary>
    public const int RowBlock = 288;

    /// <summary>Multiply-adds × 2 of analysing <paramref name="count"/> features of <paramref name="layer"/>.</summary>
    public long Flops(int layer, int count)
    {
        long d = model.Decoder.Spec.DModel, v = model.Vocab;
        long per = 2 * 2 * v * d;
        foreach (int l in model.EarlierLayers(layer)) per += 2L * model.Transcoders[l].Width * d;
        return per * count;
    }

    /// <summary>Analyses <paramref name="features"/> (indices of layer <paramref name="layer"/>); reports FLOPs done.</summary>
    public FeatureAnalysis[] Analyze(int layer, IReadOnlyList<int> features, Action<long>? progress = null)
    {
        var tc = model.Transcoders[layer];
        int nb = features.Count, d = tc.DModel;
        if (nb == 0) return [];
        foreach (int f in features)
            if ((uint)f >= (uint)tc.Width) throw new CircuitInsightsException($"feature {f} is outside layer {layer}'s {tc.Width} features");

        var enc = new float[(long)nb * d]; // [nb, D] encoder columns
        var dec = new float[(long)nb * d]; // [nb, D] decoder rows
        var encT = tc.Encoder.Transposed();
        var decoder = tc.DecoderFor(layer);
        ParallelLoop.For(0, nb, j =>
        {
            encT.CopyRow(features[j], enc.AsSpan(j * d, d));
            decoder.CopyRow(features[j], dec.AsSpan(j * d, d));
        });
        using var encPacked = PackedMatrix.Pack(MatrixRef.FromF32(enc, nb, d).Transposed());
        using var decPacked = PackedMatrix.Pack(MatrixRef.FromF32(dec, nb, d).Transposed());

        var weights = model.Decoder.Weights;
        int pool = options.TokenPool;
        var inputPos = new TokenScore[nb][]; var inputNeg = new TokenScore[nb][];
        var outputPos = new TokenScore[nb][]; var outputNeg = new TokenScore[nb][];
        var embSums = new float[nb];

        float scale = model.Decoder.Spec.EmbeddingScale;
        var emb = Stream(weights.TokenEmbedding, encPacked, pool, bottom: true, scale);
        progress?.Invoke(2L * weights.TokenEmbedding.Rows * d * nb);
        ParallelLoop.For(0, nb, j =>
        {
            (inputPos[j], inputNeg[j]) = TokenOutliers(emb, j, weights.TokenEmbedding, enc.AsMemory(j * d, d), scale);
            embSums[j] = (float)emb.AbsSum(j);
        });
        emb = null;

        var unembedding = weights.UnembedRaw.Transposed();
        var unemb = Stream(unembedding, decPacked, pool, bottom: true, 1f);
        progress?.Invoke(2L * weights.UnembedRaw.Cols * d * nb);
        ParallelLoop.For(0, nb, j => (outputPos[j], outputNeg[j]) = TokenOutliers(unemb, j, unembedding, dec.AsMemory(j * d, d), 1f));
        unemb = null;

        var links = new List<UpstreamLink>[nb];
        var sums = new List<LayerAbsSum>[nb];
        for (int j = 0; j < nb; j++) { links[j] = []; sums[j] = []; }
        foreach (int earlier in model.EarlierLayers(layer))
        {
            var source = model.Transcoders[earlier].DecoderFor(earlier); // [K', D]
            var proj = Stream(source, encPacked, options.FeaturePool, bottom: false, 1f);
            progress?.Invoke(2L * source.Rows * d * nb);
            ParallelLoop.For(0, nb, j =>
            {
                var values = new float[options.FeaturePool];
                var rows = new int[options.FeaturePool];
                int n = proj.IsExact(j, top: true) ? proj.Top(j, values, rows)
                    : ExactPool(source, enc.AsMemory(j * d, d), 1f, options.FeaturePool, top: true, values, rows);
                int outliers = ZScoreOutliers.LeadingOutliers(values.AsSpan(0, n), options.ThresholdFeatures, top: true);
                for (int i = 0; i < outliers; i++) links[j].Add(new UpstreamLink(earlier, rows[i], values[i]));
                sums[j].Add(new LayerAbsSum(earlier, (float)proj.AbsSum(j)));
            });
        }

        var result = new FeatureAnalysis[nb];
        for (int j = 0; j < nb; j++)
            result[j] = new FeatureAnalysis
            {
                Feature = new FeatureId(layer, features[j]),
                InputPositive = inputPos[j], InputNegative = inputNeg[j],
                OutputPositive = outputPos[j], OutputNegative = outputNeg[j],
                Upstream = links[j].ToArray(), EmbeddingAbsSum = embSums[j], UpstreamAbsSums = sums[j].ToArray(),
            };
        return result;
    }

    static ColumnPools Stream(MatrixRef a, PackedMatrix b, int k, bool bottom, float scale)
    {
        var pools = new ColumnPools(b.N, a.Rows, RowBlock, k, top: true, bottom: bottom);
        Gemm.MultiplyStreaming(a, b, RowBlock, (row0, rows, col0, cols, tile, ld) => pools.Add(tile, rows, ld, row0, col0, cols, scale));
        return pools;
    }

    (TokenScore[] Positive, TokenScore[] Negative) TokenOutliers(ColumnPools pools, int column, MatrixRef a, ReadOnlyMemory<float> b, float scale)
    {
        int k = pools.K;
        var values = new float[k];
        var rows = new int[k];
        int n = pools.IsExact(column, top: true) ? pools.Top(column, values, rows) : ExactPool(a, b, scale, k, top: true, values, rows);
        var positive = Take(values, rows, ZScoreOutliers.LeadingOutliers(values.AsSpan(0, n), options.ThresholdTokens, top: true));
        n = pools.IsExact(column, top: false) ? pools.Bottom(column, values, rows) : ExactPool(a, b, scale, k, top: false, values, rows);
        var negative = Take(values, rows, ZScoreOutliers.LeadingOutliers(values.AsSpan(0, n), options.ThresholdTokens, top: false));
        return (positive, negative);
    }

    /// <summary>The pool of one column recomputed without speculation (A·b through the same GEMM, so the values are
    /// bitwise those of the stream; a full sort). Used when <see cref="ColumnPools.IsExact"/> reports a mis-speculation.</summary>
    internal static int ExactPool(MatrixRef a, ReadOnlyMemory<float> b, float scale, int k, bool top, Span<float> values, Span<int> rows)
    {
        var column = new float[a.Rows];
        using (ComputeSettings.UseThreads(1))
            Gemm.Multiply(a, MatrixRef.FromF32(b, b.Length, 1), column, 1);
        var keys = new List<ulong>(column.Length);
        for (int r = 0; r < column.Length; r++)
        {
            float v = column[r] * scale;
            if (!float.IsNaN(v)) keys.Add(PoolKey.Encode(v, r, top));
        }
        keys.Sort();
        int n = Math.Min(k, keys.Count);
        for (int i = 0; i < n; i++) { values[i] = PoolKey.Value(keys[i], top); rows[i] = PoolKey.Row(keys[i]); }
        return n;
    }

    static TokenScore[] Take(float[] values, int[] rows, int count)
    {
        var result = new TokenScore[count];
        for (int i = 0; i < count; i++) result[i] = new TokenScore(rows[i], values[i]);
        return result;
    }
}
