using System.Buffers;
using CircuitInsights.Models;
using CircuitInsights.Models.Components;
using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Transcoders;

/// <summary>
/// A model with its transcoders: runs the exact forward pass (or, with <see cref="ReplacementOptions.Splice"/>, the
/// forward with MLP outputs replaced by reconstructions) and reports, per covered layer, the transcoder input, active
/// features, reconstruction and error = real output − reconstruction (reference.md §3.1 "Setup").
/// </summary>
public sealed class ReplacementModel
{
    public DecoderModel Model { get; }
    public TranscoderSet Transcoders { get; }

    public ReplacementModel(DecoderModel model, TranscoderSet transcoders)
    {
        foreach (var t in transcoders.All)
        {
            if (t.Layer >= model.Spec.Layers) throw new CircuitInsightsException($"transcoder for layer {t.Layer}, but the model has {model.Spec.Layers} layers");
            if (t.DModel != model.Spec.DModel || t.DOut != model.Spec.DModel)
                throw new CircuitInsightsException($"transcoder layer {t.Layer} maps {t.DModel}→{t.DOut}, but the model's d_model is {model.Spec.DModel}");
        }
        Model = model;
        Transcoders = transcoders;
    }

    public ReplacementRun Run(TokenBatch batch, ReplacementOptions? options = null)
    {
        options ??= new ReplacementOptions();
        var capture = new Capture(this, batch, options);
        var forward = Model.Forward(batch, new ForwardOptions
        {
            Hooks = HookHandlers.Combine(capture, options.ExtraHooks),
            StopAtLayer = options.StopAtLayer,
            Logits = options.Logits,
            KeepPreSoftcapLogits = options.KeepPreSoftcapLogits,
        });
        return new ReplacementRun { Batch = batch, Forward = forward, Layers = capture.Results, Options = options };
    }

    /// <summary>Hook handler that encodes at input hooks and reconstructs at output hooks.</summary>
    sealed class Capture : IHookHandler
    {
        readonly ReplacementModel _owner;
        readonly TokenBatch _batch;
        readonly ReplacementOptions _options;
        readonly Dictionary<string, int> _inputHooks = new(StringComparer.Ordinal);
        readonly Dictionary<string, int> _outputHooks = new(StringComparer.Ordinal);
        readonly Dictionary<int, (float[] Input, float[]? Pre, SparseFeatures Active)> _encoded = new();
        public Dictionary<int, LayerReplacement> Results { get; } = new();

        public Capture(ReplacementModel owner, TokenBatch batch, ReplacementOptions options)
        {
            _owner = owner; _batch = batch; _options = options;
            int stop = options.StopAtLayer ?? owner.Model.Spec.Layers;
            foreach (int l in owner.Transcoders.Layers.Where(l => l < stop))
            {
                _inputHooks[owner.Transcoders.InputHook(l).Name] = l;
                _outputHooks[owner.Transcoders.OutputHook(l).Name] = l;
            }
        }

        public bool Wants(HookPoint hook) => _inputHooks.ContainsKey(hook.Name) || _outputHooks.ContainsKey(hook.Name);

        public void OnHook(HookPoint hook, HookTensor value)
        {
            if (_inputHooks.TryGetValue(hook.Name, out int inLayer)) Encode(inLayer, value);
            if (_outputHooks.TryGetValue(hook.Name, out int outLayer)) Reconstruct(outLayer, value);
        }

        void Encode(int layer, HookTensor value)
        {
            var tc = _owner.Transcoders[layer];
            int rows = _batch.BatchSize * _batch.Positions, k = tc.Width;
            var input = value.ToArray();
            int n = checked(rows * k);
            // The dense [rows, K] pre-activations (200 MB for a 2048-row GPT-2 batch) are only needed until they are
            // sparsified: a pooled buffer keeps the large-object heap from filling with one garbage array per layer and batch.
            float[]? rented = _options.KeepPreActivations ? null : ArrayPool<float>.Shared.Rent(n);
            try
            {
                var pre = rented ?? new float[n];
                tc.PreActivations(input, rows, pre.AsSpan(0, n));
                var act = _options.KeepPreActivations ? (float[])pre.Clone() : pre;
                for (int r = 0; r < rows; r++)
                {
                    var row = act.AsSpan(r * k, k);
                    if (_options.ZeroFirstPosition && r % _batch.Positions == 0) row.Clear();
                    else tc.Activate(row);
                }
                _encoded[layer] = (input, _options.KeepPreActivations ? pre : null, SparseFeatures.FromDense(act.AsSpan(0, n), rows, k));
            }
            finally
            {
                if (rented is not null) ArrayPool<float>.Shared.Return(rented);
            }
        }

        void Reconstruct(int layer, HookTensor value)
        {
            int d = _owner.Model.Spec.DModel, rows = _batch.BatchSize * _batch.Positions;
            var recon = new float[rows * d];
            foreach (var writer in _owner.Transcoders.WritersTo(layer))
            {
                if (!_encoded.TryGetValue(writer.Layer, out var enc)) continue;
                for (int r = 0; r < rows; r++)
                {
                    var dst = recon.AsSpan(r * d, d);
                    var feats = enc.Active.FeaturesOf(r);
                    var vals = enc.Active.ValuesOf(r);
                    for (int i = 0; i < feats.Length; i++) writer.AddDecoderRow(layer, feats[i], vals[i], dst);
                }
            }
            var own = _owner.Transcoders[layer];
            var ownEnc = _encoded[layer];
            for (int r = 0; r < rows; r++)
            {
                var dst = recon.AsSpan(r * d, d);
                if (own.DecoderBias is { } b) System.Numerics.Tensors.TensorPrimitives.Add(dst, b, dst);
                if (own.Skip is not null) own.AddSkip(ownEnc.Input.AsSpan(r * d, d), dst);
            }
            var mlp = value.ToArray();
            var error = new float[rows * d];
            System.Numerics.Tensors.TensorPrimitives.Subtract(mlp, recon, error);
            Results[layer] = new LayerReplacement
            {
                Layer = layer, Input = ownEnc.Input, PreActivations = ownEnc.Pre, Active = ownEnc.Active,
                Reconstruction = recon, MlpOutput = mlp, Error = error,
            };
            if (_options.Splice) recon.AsSpan().CopyTo(value.Span);
        }
    }
}
