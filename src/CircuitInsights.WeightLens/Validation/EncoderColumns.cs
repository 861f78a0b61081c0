using System.Runtime.CompilerServices;
using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Validation;

/// <summary>
/// Single-feature pre-activations of one transcoder, bitwise equal to those of <see cref="Transcoder.PreActivations"/>
/// (the dense GEMM): pre_f = Σ over blocks of 256 inputs of an ascending fused-multiply-add chain of (x − c)·W_enc[:, f],
/// blocks added in order, then + b_enc[f] (the summation order of <see cref="Gemm"/>). Encoder columns are read in place
/// when the storage keeps them contiguous (circuit-tracer's [K, D] layout); otherwise the needed columns are gathered
/// once, reading the encoder row by row.
/// </summary>
internal sealed class EncoderColumns
{
    const int Block = 256;

    readonly Transcoder _tc;
    readonly Dictionary<int, float[]>? _gathered;
    readonly bool _contiguous;

    public EncoderColumns(Transcoder transcoder, IEnumerable<int> features)
    {
        _tc = transcoder;
        var enc = transcoder.Encoder;
        _contiguous = enc.RowStride == 1 && (enc.DType != DType.F16);
        if (_contiguous) return;
        var needed = features.Distinct().Order().ToArray();
        _gathered = new Dictionary<int, float[]>(needed.Length);
        foreach (int f in needed) _gathered[f] = new float[enc.Rows];
        var row = new float[enc.Cols];
        for (int d = 0; d < enc.Rows; d++)
        {
            enc.CopyRow(d, row);
            foreach (int f in needed) _gathered[f][d] = row[f];
        }
    }

    public Transcoder Transcoder => _tc;

    /// <summary>Writes x − c (the transcoder's input centering, if any) into <paramref name="destination"/>.</summary>
    public void Center(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (_tc.InputCentering is { } c) System.Numerics.Tensors.TensorPrimitives.Subtract(x, c, destination);
        else x.CopyTo(destination);
    }

    /// <summary>Pre-activation of <paramref name="feature"/> for a centred input row.</summary>
    public float PreActivation(ReadOnlySpan<float> centered, int feature)
    {
        float dot;
        if (_gathered is not null) dot = Dot(centered, _gathered.TryGetValue(feature, out var col) ? col : throw new InvalidOperationException($"encoder column {feature} was not gathered"));
        else
        {
            var enc = _tc.Encoder;
            int start = enc.Offset + feature * enc.ColStride;
            dot = enc.DType == DType.F32 ? Dot(centered, enc.F32Storage.Span.Slice(start, enc.Rows)) : DotBf16(centered, enc.Bits16Storage.Span.Slice(start, enc.Rows));
        }
        return dot + _tc.EncoderBias[feature];
    }

    /// <summary>Activation of <paramref name="feature"/> for a centred input row (ReLU / JumpReLU; TopK needs the row).</summary>
    public float Activation(ReadOnlySpan<float> centered, int feature) => _tc.ActivateOne(feature, PreActivation(centered, feature));

    static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        float c = 0;
        for (int p = 0; p < x.Length; p += Block)
        {
            int end = Math.Min(p + Block, x.Length);
            float acc = 0;
            for (int k = p; k < end; k++) acc = MathF.FusedMultiplyAdd(x[k], w[k], acc);
            c = p == 0 ? acc : c + acc;
        }
        return c;
    }

    static float DotBf16(ReadOnlySpan<float> x, ReadOnlySpan<ushort> w)
    {
        float c = 0;
        for (int p = 0; p < x.Length; p += Block)
        {
            int end = Math.Min(p + Block, x.Length);
            float acc = 0;
            for (int k = p; k < end; k++) acc = MathF.FusedMultiplyAdd(x[k], Widen(w[k]), acc);
            c = p == 0 ? acc : c + acc;
        }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Widen(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
