using CircuitInsights.Tensors;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Activations;

/// <summary>
/// Activations of a few features of one transcoder, computed from their encoder columns only:
/// a[r, j] = act((x_r − c)·W_enc[:, f_j] + b_enc[f_j]) — a [rows, D]×[D, n] product instead of the full [D, K] encoder.
/// TopK transcoders need the whole row, so for them the full pre-activations are computed and the selected ones read.
/// </summary>
public sealed class FeatureColumns
{
    readonly Transcoder _tc;
    readonly int[] _features;
    readonly float[] _columns; // [D, n]
    readonly float[] _bias;    // [n]

    public FeatureColumns(Transcoder transcoder, IReadOnlyList<int> features)
    {
        _tc = transcoder;
        _features = features.ToArray();
        foreach (int f in _features)
            if ((uint)f >= (uint)transcoder.Width) throw new CircuitInsightsException($"feature {f} outside [0, {transcoder.Width}) of layer {transcoder.Layer}");
        int d = transcoder.DModel, n = _features.Length;
        _columns = new float[d * n];
        _bias = new float[n];
        var enc = transcoder.Encoder.Transposed(); // [K, D]
        var col = new float[d];
        for (int j = 0; j < n; j++)
        {
            enc.CopyRow(_features[j], col);
            for (int i = 0; i < d; i++) _columns[i * n + j] = col[i];
            _bias[j] = transcoder.EncoderBias[_features[j]];
        }
    }

    public IReadOnlyList<int> Features => _features;

    /// <summary>Activations [rows, n] of the selected features for inputs x [rows, D].</summary>
    public void Compute(ReadOnlySpan<float> x, int rows, Span<float> destination)
    {
        int d = _tc.DModel, n = _features.Length;
        if (n == 0 || rows == 0) return;
        if (_tc.Activation == TranscoderActivation.TopK)
        {
            var pre = new float[(long)rows * _tc.Width];
            _tc.PreActivations(x, rows, pre);
            for (int r = 0; r < rows; r++)
            {
                var row = pre.AsSpan(r * _tc.Width, _tc.Width);
                _tc.Activate(row);
                for (int j = 0; j < n; j++) destination[r * n + j] = row[_features[j]];
            }
            return;
        }
        var input = x[..(rows * d)].ToArray();
        if (_tc.InputCentering is { } c)
            for (int r = 0; r < rows; r++) System.Numerics.Tensors.TensorPrimitives.Subtract(input.AsSpan(r * d, d), c, input.AsSpan(r * d, d));
        var dst = destination[..(rows * n)];
        Gemm.Multiply(MatrixRef.FromF32(input, rows, d), MatrixRef.FromF32(_columns, d, n), dst, n);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) dst[r * n + j] = _tc.ActivateOne(_features[j], dst[r * n + j] + _bias[j]);
    }
}
