using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders;

/// <summary>
/// One layer of a transcoder set: reads a residual-space vector x at its input hook and reconstructs what the MLP adds at
/// its output hook (reference.md §1.4):
/// <code>
/// pre = (x − c)·W_enc + b_enc        c = input centering (pchlenski b_dec), else 0
/// a   = act(pre)                     ReLU, JumpReLU (pre &gt; θ), or TopK
/// out_j = a·W_dec^(j) + b_dec + x·W_skipᵀ   for each output layer j (j = Layer for per-layer transcoders)
/// </code>
/// Weights are views over the loaded files (W_enc in [D, K] orientation whatever the storage), W_enc is packed once for
/// the dense encoder GEMM. Cross-layer transcoders have one decoder per output layer j ≥ Layer.
/// </summary>
public class Transcoder : IDisposable
{
    readonly MatrixRef[] _decoders; // per output layer Layer..Layer+n-1, each [K, Dout]
    PackedMatrix? _encoderPacked;
    readonly object _packLock = new();

    public int Layer { get; }
    public int DModel { get; }
    public int Width { get; }
    public TranscoderActivation Activation { get; }
    /// <summary>[D, K].</summary>
    public MatrixRef Encoder { get; }
    /// <summary>[K].</summary>
    public float[] EncoderBias { get; }
    /// <summary>[D] subtracted from the input before encoding (pchlenski b_dec), or null.</summary>
    public float[]? InputCentering { get; }
    /// <summary>[K] JumpReLU thresholds, or null.</summary>
    public float[]? Threshold { get; }
    /// <summary>k for TopK.</summary>
    public int? TopK { get; }
    /// <summary>[Dout] output bias (b_dec / b_dec_out), or null.</summary>
    public float[]? DecoderBias { get; }
    /// <summary>[D, Dout] skip connection in x·W orientation (checkpoint W_skip is [Dout, D] and applied as x·W_skipᵀ), or null.</summary>
    public MatrixRef? Skip { get; }

    public Transcoder(int layer, MatrixRef encoder, float[] encoderBias, MatrixRef[] decoders, float[]? decoderBias,
        TranscoderActivation activation, float[]? threshold = null, int? topK = null, float[]? inputCentering = null, MatrixRef? skip = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        Layer = layer; Encoder = encoder; EncoderBias = encoderBias; _decoders = decoders; DecoderBias = decoderBias;
        Activation = activation; Threshold = threshold; TopK = topK; InputCentering = inputCentering; Skip = skip;
        DModel = encoder.Rows; Width = encoder.Cols;
        if (encoderBias.Length != Width) throw new ArgumentException($"layer {layer}: b_enc has {encoderBias.Length} entries, W_enc has {Width} features");
        if (decoders.Length == 0) throw new ArgumentException($"layer {layer}: no decoder");
        foreach (var dec in decoders)
            if (dec.Rows != Width) throw new ArgumentException($"layer {layer}: W_dec has {dec.Rows} rows for {Width} features");
        if (activation == TranscoderActivation.JumpRelu && (threshold is null || threshold.Length != Width))
            throw new ArgumentException($"layer {layer}: JumpReLU needs a threshold per feature");
        if (activation == TranscoderActivation.TopK && topK is not > 0) throw new ArgumentException($"layer {layer}: TopK needs k > 0");
        if (inputCentering is not null && inputCentering.Length != DModel) throw new ArgumentException($"layer {layer}: input centering has {inputCentering.Length} entries, expected {DModel}");
        if (decoderBias is not null && decoderBias.Length != decoders[0].Cols) throw new ArgumentException($"layer {layer}: b_dec has {decoderBias.Length} entries, expected {decoders[0].Cols}");
        if (skip is { } s && (s.Rows != DModel || s.Cols != decoders[0].Cols)) throw new ArgumentException($"layer {layer}: W_skip is [{s.Cols}x{s.Rows}], expected [{decoders[0].Cols}x{DModel}]");
    }

    /// <summary>Output dimension (d_model of the output hook).</summary>
    public int DOut => _decoders[0].Cols;

    /// <summary>Number of output layers this transcoder writes to (1 for per-layer transcoders).</summary>
    public int OutputLayerCount => _decoders.Length;

    public bool WritesTo(int layer) => layer >= Layer && layer < Layer + _decoders.Length;

    /// <summary>Decoder [K, Dout] for output layer <paramref name="layer"/>.</summary>
    public MatrixRef DecoderFor(int layer) =>
        WritesTo(layer) ? _decoders[layer - Layer] : throw new ArgumentOutOfRangeException(nameof(layer), $"transcoder of layer {Layer} does not write to layer {layer}");

    PackedMatrix EncoderPacked
    {
        get
        {
            if (_encoderPacked is { } p) return p;
            lock (_packLock) return _encoderPacked ??= PackedMatrix.Pack(Encoder);
        }
    }

    /// <summary>Dense pre-activations: pre [rows, K] = (x − c)·W_enc + b_enc for x [rows, D].</summary>
    public void PreActivations(ReadOnlySpan<float> x, int rows, Span<float> pre)
    {
        var input = new float[rows * DModel];
        x[..(rows * DModel)].CopyTo(input);
        if (InputCentering is { } c)
            for (int r = 0; r < rows; r++) System.Numerics.Tensors.TensorPrimitives.Subtract(input.AsSpan(r * DModel, DModel), c, input.AsSpan(r * DModel, DModel));
        Gemm.Multiply(MatrixRef.FromF32(input, rows, DModel), EncoderPacked, pre, Width);
        for (int r = 0; r < rows; r++) System.Numerics.Tensors.TensorPrimitives.Add(pre.Slice(r * Width, Width), EncoderBias, pre.Slice(r * Width, Width));
    }

    /// <summary>Applies the activation function to one row of pre-activations, in place.</summary>
    public void Activate(Span<float> row)
    {
        switch (Activation)
        {
            case TranscoderActivation.Relu:
                System.Numerics.Tensors.TensorPrimitives.Max(row, 0f, row);
                break;
            case TranscoderActivation.JumpRelu:
                var th = Threshold!;
                for (int i = 0; i < row.Length; i++) if (!(row[i] > th[i])) row[i] = 0f;
                break;
            case TranscoderActivation.TopK:
                int k = Math.Min(TopK!.Value, row.Length);
                var idx = new int[k]; var vals = new float[k];
                int n = Tensors.TopK.Largest(row, k, idx, vals);
                row.Clear();
                for (int i = 0; i < n; i++) row[idx[i]] = Math.Max(vals[i], 0f);
                break;
        }
    }

    /// <summary>Value of one feature's activation given its pre-activation (not valid for TopK, which depends on the row).</summary>
    public float ActivateOne(int feature, float pre) => Activation switch
    {
        TranscoderActivation.Relu => Math.Max(pre, 0f),
        TranscoderActivation.JumpRelu => pre > Threshold![feature] ? pre : 0f,
        _ => throw new InvalidOperationException("TopK activations depend on the whole row"),
    };

    /// <summary>Adds a·W_dec^(layer)[feature] to <paramref name="destination"/> [Dout].</summary>
    public void AddDecoderRow(int layer, int feature, float activation, Span<float> destination)
    {
        var dec = DecoderFor(layer);
        if (dec.DType == DType.F32 && dec.IsRowContiguous)
        {
            var row = dec.F32Storage.Span.Slice(dec.Offset + feature * dec.RowStride, dec.Cols);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, activation, destination, destination);
            return;
        }
        var buffer = t_rowBuffer is { } b && b.Length >= dec.Cols ? b : t_rowBuffer = new float[dec.Cols];
        var widened = buffer.AsSpan(0, dec.Cols);
        dec.CopyRow(feature, widened);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(widened, activation, destination, destination);
    }

    [ThreadStatic] static float[]? t_rowBuffer;

    /// <summary>Adds the skip term x·W_skipᵀ for one input row to <paramref name="destination"/> [Dout].</summary>
    public void AddSkip(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (Skip is not { } s) return;
        var tmp = new float[s.Cols];
        var input = x.ToArray();
        Gemm.Multiply(MatrixRef.FromF32(input, 1, DModel), s, tmp, s.Cols);
        System.Numerics.Tensors.TensorPrimitives.Add(destination, tmp, destination);
    }

    public void Dispose()
    {
        _encoderPacked?.Dispose();
        DisposeResources();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases files the weights are mapped from (subclasses that own them).</summary>
    protected virtual void DisposeResources() { }
}
