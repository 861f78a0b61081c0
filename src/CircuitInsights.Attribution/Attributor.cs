using System.Collections.Concurrent;
using System.Numerics.Tensors;
using CircuitInsights.Models;
using CircuitInsights.Tensors;

namespace CircuitInsights.Attribution;

/// <summary>
/// Exact direct-effect attribution under the frozen linearisation (reference.md §3.1). For a chunk of targets the
/// gradient G [n, T, D] is injected where each target reads and swept down the layers:
/// <code>
/// for L = last … 0:
///   read MLP(L) sources:   features a·W_dec, error nodes, decoder bias      (G at resid_post(L), via the output hook)
///   skip path:             G += ∂/∂resid_mid of g·(x_in·W_skip)
///   inject targets reading at layer L (encoder rows through the frozen ln2)
///   attention(L):          g_z = g·W_Oᵀ;  g_v = Aᵀ g_z;  G += NormBackᵀ(g_v·W_Vᵀ)   (patterns, scales frozen)
/// read embeddings:         G·(E[t]·scale + W_pos[t])
/// </code>
/// One sweep serves all targets of a chunk (the "many targets per backward" trick), with GEMMs over [n·T, ·].
/// </summary>
public sealed partial class Attributor : IDisposable
{
    readonly AttributionContext _ctx;
    readonly DecoderSpec _spec;
    readonly FrozenBackward.InputHookMap _inputMap;
    readonly bool _outputIsResidual;
    readonly int[] _layerFeatureStart; // [L+1] index of the first feature of each layer in ctx.Features
    readonly int[] _groupStart;        // [(L*T)+1] features of (layer, position) groups
    readonly ConcurrentDictionary<(int Source, int Output), float[]> _decoderVectors = new();
    readonly PackedMatrix?[] _oT, _vT;
    readonly object _packLock = new();
    float[]? _meanUnembed;

    public AttributionContext Context => _ctx;

    public Attributor(AttributionContext context)
    {
        _ctx = context;
        _spec = context.Spec;
        _inputMap = FrozenBackward.ResolveInputHook(_spec, context.Transcoders.Info.InputHook);
        _outputIsResidual = FrozenBackward.OutputHookIsResidual(_spec, context.Transcoders.Info.OutputHook);
        int L = _spec.Layers, T = context.Positions;
        _layerFeatureStart = new int[L + 1];
        _groupStart = new int[L * T + 1];
        var feats = context.Features;
        int idx = 0;
        for (int g = 0; g < L * T; g++)
        {
            _groupStart[g] = idx;
            while (idx < feats.Length && feats[idx].Layer * T + feats[idx].Position == g) idx++;
        }
        _groupStart[L * T] = idx;
        if (idx != feats.Length) throw new InvalidOperationException("features are not ordered by (layer, position)");
        for (int l = 0; l <= L; l++) _layerFeatureStart[l] = _groupStart[l * T];
        _oT = new PackedMatrix?[L];
        _vT = new PackedMatrix?[L];
    }

    /// <summary>Attributes every target; rows in target order.</summary>
    public AttributionRows Attribute(IReadOnlyList<AttributionTarget> targets, AttributeOptions? options = null)
    {
        options ??= new AttributeOptions();
        int n = targets.Count, L = _spec.Layers, T = _ctx.Positions, NF = _ctx.Features.Length, H = _spec.Heads;
        foreach (var t in targets) Validate(t);
        var rows = new AttributionRows
        {
            Count = n, FeatureCount = NF, Layers = L, Positions = T, Heads = H,
            Features = new float[(long)n * NF], Errors = new float[(long)n * L * T], Embeddings = new float[(long)n * T],
            Bias = new double[n], HeadsBySource = options.HeadContributions ? new float[(long)n * L * H * T] : null,
        };
        long perTarget = 4L * T * (2L * _spec.DModel + _spec.QueryWidth + _spec.KvWidth) + 4L * NF;
        int chunk = (int)Math.Clamp(options.ChunkMemoryBytes / Math.Max(1, perTarget), 1, options.MaxChunk);
        // Chunks of targets with similar read layer and position: a sweep starts at the highest layer read in its chunk
        // and only carries positions up to the last one read (causal attention sends gradient only backwards).
        var order = Enumerable.Range(0, n).OrderBy(i => TopLayer(targets[i])).ThenBy(i => targets[i].Position).ToArray();
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            Sweep(order.AsSpan(start, count).ToArray().Select(i => (i, targets[i])).ToArray(), rows, options);
        }
        return rows;
    }

    void Validate(AttributionTarget t)
    {
        int T = _ctx.Positions;
        if ((uint)t.Position >= (uint)T) throw new CircuitInsightsException($"target position {t.Position} outside the prompt's {T} tokens");
        switch (t)
        {
            case FeatureTarget f:
                if (!_ctx.Transcoders.Has(f.Layer)) throw new CircuitInsightsException($"no transcoder at layer {f.Layer}");
                if ((uint)f.Feature >= (uint)_ctx.Transcoders.Width) throw new CircuitInsightsException($"feature {f.Feature} outside [0, {_ctx.Transcoders.Width})");
                break;
            case LogitTarget lt when (uint)lt.Token >= (uint)_spec.Vocab:
                throw new CircuitInsightsException($"token {lt.Token} outside the vocabulary");
            case ResidualTarget r when r.Layer < 0 || r.Layer > _spec.Layers || r.Direction.Length != _spec.DModel:
                throw new CircuitInsightsException($"residual target needs layer in [0, {_spec.Layers}] and a direction of {_spec.DModel} values");
        }
    }

    /// <summary>The target's value in the exact forward pass (what the row should sum to); NaN when not recorded.</summary>
    public double TargetValue(AttributionTarget target)
    {
        int D = _spec.DModel, V = _spec.Vocab;
        switch (target)
        {
            case FeatureTarget f:
            {
                var tc = _ctx.Transcoders[f.Layer];
                var x = _ctx.Run.Layers[f.Layer].Input.AsSpan(f.Pos * D, D).ToArray();
                if (tc.InputCentering is { } c) TensorPrimitives.Subtract(x, c, x);
                return TensorPrimitives.Dot<float>(x, EncoderColumn(tc, f.Feature)) + tc.EncoderBias[f.Feature];
            }
            case LogitTarget lt:
            {
                var row = _ctx.Logits.AsSpan(lt.Pos * V, V);
                return row[lt.Token] - TensorPrimitives.Sum<float>(row) / (double)V;
            }
            case ResidualTarget r when r.Layer == _spec.Layers:
                return TensorPrimitives.Dot<float>(_ctx.Run.Forward.Residual.AsSpan(r.Pos * D, D), r.Direction);
            default:
                return double.NaN;
        }
    }

    /// <summary>Highest block whose attention the target's gradient must traverse.</summary>
    int TopLayer(AttributionTarget t) => t switch
    {
        FeatureTarget f => f.Layer,
        ResidualTarget r => Math.Min(r.Layer, _spec.Layers - 1),
        _ => _spec.Layers - 1,
    };

    static float[] EncoderColumn(Transcoders.Transcoder tc, int feature)
    {
        var col = new float[tc.DModel];
        tc.Encoder.Transposed().CopyRow(feature, col);
        return col;
    }

    /// <summary>[D] demeaned unembedding column W_U[:, tok] − mean_v W_U[:, v].</summary>
    public float[] LogitDirection(int token)
    {
        var u = _ctx.Weights.UnembedRaw; // [D, V]
        _meanUnembed ??= MeanUnembedding.Get(_ctx.Weights);
        var dir = new float[u.Rows];
        u.Transposed().CopyRow(token, dir);
        TensorPrimitives.Subtract(dir, _meanUnembed, dir);
        return dir;
    }

    float[] DecoderVectors(int sourceLayer, int outputLayer)
    {
        return _decoderVectors.GetOrAdd((sourceLayer, outputLayer), key =>
        {
            var tc = _ctx.Transcoders[key.Source];
            var dec = tc.DecoderFor(key.Output);
            int start = _layerFeatureStart[key.Source], end = _layerFeatureStart[key.Source + 1], D = _spec.DModel;
            var vecs = new float[(long)(end - start) * D];
            for (int i = start; i < end; i++)
            {
                var dst = vecs.AsSpan((i - start) * D, D);
                dec.CopyRow(_ctx.Features[i].Feature, dst);
                TensorPrimitives.Multiply(dst, _ctx.Features[i].Activation, dst);
            }
            return vecs;
        });
    }

    PackedMatrix Packed(PackedMatrix?[] cache, int layer, Func<MatrixRef> view)
    {
        if (cache[layer] is { } p) return p;
        lock (_packLock) return cache[layer] ??= PackedMatrix.Pack(view());
    }

    /// <summary>One backward sweep for a chunk of targets (row index in the output, target). The gradient G is
    /// [n, te, D] where te = last position read + 1.</summary>
    void Sweep((int Row, AttributionTarget Target)[] chunk, AttributionRows rows, AttributeOptions options)
    {
        int n = chunk.Length, L = _spec.Layers, T = _ctx.Positions, D = _spec.DModel, NF = _ctx.Features.Length;
        int te = chunk.Max(c => c.Target.Position) + 1;
        int top = chunk.Max(c => TopLayer(c.Target));
        var sw = new SweepState(n, te);
        var G = new float[(long)n * te * D];
        var bias = new double[n];
        var contrib = new float[(long)n * NF];

        // Targets that read after the last block (logits, final-residual directions).
        for (int i = 0; i < n; i++)
        {
            var target = chunk[i].Target;
            var slot = G.AsSpan((i * te + target.Position) * D, D);
            switch (target)
            {
                case LogitTarget lt:
                    var dir = LogitDirection(lt.Token);
                    FrozenBackward.Norm(_spec.Norm, _ctx.Weights.FinalNorm.Weight, _spec.NormGainOffset, _ctx.FinalScales[lt.Pos], dir, slot);
                    if (_ctx.Weights.FinalNorm.Bias is { } fb) bias[i] += TensorPrimitives.Dot<float>(dir, fb);
                    break;
                case ResidualTarget r when r.Layer == L:
                    TensorPrimitives.Add(slot, r.Direction, slot);
                    break;
            }
        }

        var gOut = _outputIsResidual ? G : new float[G.Length];
        for (int layer = top; layer >= 0; layer--)
        {
            var block = _ctx.Weights.Blocks[layer];
            // (1) sources in the MLP output of this layer (none above the highest target layer)
            if (layer < top || chunk.Any(c => c.Target is LogitTarget || c.Target is ResidualTarget { Layer: var rl } && rl > layer))
            {
                if (!_outputIsResidual) ScaleByPostNorm(sw, G, gOut, block.PostMlpNorm!, _ctx.PostMlpScales![layer]);
                ReadFeatures(sw, layer, gOut, contrib);
                ReadErrors(sw, layer, _ctx.ErrorsInOutputHookSpace[layer] ? gOut : G, rows, chunk);
                if (_ctx.Transcoders.Has(layer))
                {
                    var tc = _ctx.Transcoders[layer];
                    if (tc.DecoderBias is { } bd)
                        for (int i = 0; i < n; i++)
                            for (int p = 0; p < te; p++) bias[i] += TensorPrimitives.Dot<float>(gOut.AsSpan((i * te + p) * D, D), bd);
                    if (tc.Skip is { } skip) AddSkipGradient(sw, layer, skip, gOut, G);
                }
            }
            // (2) targets reading at this layer
            for (int i = 0; i < n; i++) InjectAtLayer(chunk[i].Target, layer, G.AsSpan(i * te * D, te * D), ref bias[i]);
            // (3) attention of this layer
            AttentionBackward(sw, layer, G, bias, rows, chunk, options);
        }
        // (4) embeddings
        for (int i = 0; i < n; i++)
            for (int p = 0; p < te; p++)
                rows.Embeddings[(long)chunk[i].Row * T + p] = TensorPrimitives.Dot<float>(G.AsSpan((i * te + p) * D, D), _ctx.Embeddings.AsSpan(p * D, D));
        for (int i = 0; i < n; i++)
        {
            contrib.AsSpan(i * NF, NF).CopyTo(rows.Features.AsSpan((int)((long)chunk[i].Row * NF), NF));
            rows.Bias[chunk[i].Row] = bias[i];
        }
    }

    /// <summary>Geometry of one sweep: n targets, te positions carried.</summary>
    readonly record struct SweepState(int N, int Te);

    void ScaleByPostNorm(SweepState sw, float[] g, float[] dst, Models.Components.NormWeights norm, float[] scales)
    {
        int n = sw.N, T = sw.Te, D = _spec.DModel;
        var factor = new float[D];
        for (int i = 0; i < D; i++) factor[i] = _spec.NormGainOffset + (norm.Weight?[i] ?? 0f);
        for (int i = 0; i < n; i++)
            for (int p = 0; p < T; p++)
            {
                var src = g.AsSpan((i * T + p) * D, D);
                var o = dst.AsSpan((i * T + p) * D, D);
                TensorPrimitives.Multiply(src, factor, o);
                TensorPrimitives.Multiply(o, 1f / scales[p], o);
            }
    }

    void ReadFeatures(SweepState sw, int outputLayer, float[] gOut, float[] contrib)
    {
        int n = sw.N, te = sw.Te, T = _ctx.Positions, D = _spec.DModel, NF = _ctx.Features.Length;
        foreach (var writer in _ctx.Transcoders.WritersTo(outputLayer))
        {
            int src = writer.Layer;
            if (_layerFeatureStart[src + 1] == _layerFeatureStart[src]) continue;
            var vecs = DecoderVectors(src, outputLayer);
            int layerStart = _layerFeatureStart[src];
            ParallelLoop.For(0, te, p =>
            {
                int g0 = _groupStart[src * T + p], g1 = _groupStart[src * T + p + 1];
                if (g1 == g0) return;
                var a = MatrixRef.FromF32(gOut, n, D, offset: p * D, rowStride: te * D);
                var b = MatrixRef.FromF32(vecs, g1 - g0, D, offset: (g0 - layerStart) * D).Transposed();
                Gemm.Multiply(a, b, contrib.AsSpan(g0), NF, accumulate: true);
            });
        }
    }

    void ReadErrors(SweepState sw, int layer, float[] g, AttributionRows rows, (int Row, AttributionTarget Target)[] chunk)
    {
        int te = sw.Te, T = _ctx.Positions, D = _spec.DModel, L = _spec.Layers;
        var err = _ctx.Errors[layer];
        for (int i = 0; i < sw.N; i++)
            for (int p = 0; p < te; p++)
                rows.Errors[((long)chunk[i].Row * L + layer) * T + p] = TensorPrimitives.Dot<float>(g.AsSpan((i * te + p) * D, D), err.AsSpan(p * D, D));
    }

    void AddSkipGradient(SweepState sw, int layer, MatrixRef skip, float[] gOut, float[] G)
    {
        int n = sw.N, T = sw.Te, D = _spec.DModel;
        var gIn = new float[(long)n * T * D];
        Gemm.Multiply(MatrixRef.FromF32(gOut, n * T, D), skip.Transposed(), gIn, D);
        var block = _ctx.Weights.Blocks[layer];
        var scales = _ctx.Ln2Scales[layer];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < T; p++)
                FrozenBackward.InputHookToResidMid(_spec, block, _inputMap, scales[p], gIn.AsSpan((i * T + p) * D, D), G.AsSpan((i * T + p) * D, D));
    }

    void InjectAtLayer(AttributionTarget target, int layer, Span<float> g, ref double bias)
    {
        int D = _spec.DModel;
        switch (target)
        {
            case FeatureTarget f when f.Layer == layer:
            {
                var tc = _ctx.Transcoders[layer];
                var enc = EncoderColumn(tc, f.Feature);
                var block = _ctx.Weights.Blocks[layer];
                FrozenBackward.InputHookToResidMid(_spec, block, _inputMap, _ctx.Ln2Scales[layer][f.Pos], enc, g.Slice(f.Pos * D, D));
                bias += tc.EncoderBias[f.Feature] + FrozenBackward.InputHookConstant(block, _inputMap, enc);
                if (tc.InputCentering is { } c) bias -= TensorPrimitives.Dot<float>(c, enc);
                break;
            }
            case ResidualTarget r when r.Layer == layer:
                TensorPrimitives.Add(g.Slice(r.Pos * D, D), r.Direction, g.Slice(r.Pos * D, D));
                break;
        }
    }
}
