using System.Text;
using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Writes circuit-tracer transcoder sets (reference.md §1.4c): per-layer <c>layer_{i}.safetensors</c>
/// (<c>SingleLayerTranscoder.to_safetensors</c>: W_enc [K, D], W_dec [K, D], b_enc, b_dec, activation_function.threshold,
/// W_skip [D, D] applied as x·W_skipᵀ), cross-layer <c>W_enc_{i}</c>/<c>W_dec_{i}.safetensors</c>
/// (<c>CrossLayerTranscoder.to_safetensors</c>: W_skip_i applied as x·W_skip_i) and <c>config.yaml</c>.
/// </summary>
public static class CircuitTracerFileWriter
{
    /// <param name="oldDecoderLayout">Store W_dec as [D, K] (circuit-tracer ≤ 0.1 files).</param>
    public static void WriteLayer(string path, TranscoderLayerWeights w, DType dtype = DType.F32, bool oldDecoderLayout = false,
        Action<SafeTensorsWriter>? extra = null, bool omitThresholdName = false)
    {
        int d = w.DModel, k = w.Width;
        var s = new SafeTensorsWriter();
        s.Metadata["format"] = "pt";
        s.Add("W_enc", TranscoderLayerWeights.Transpose(w.Encoder, d, k), [k, d], dtype);
        if (oldDecoderLayout) s.Add("W_dec", TranscoderLayerWeights.Transpose(w.Decoders[0], k, d), [d, k], dtype);
        else s.Add("W_dec", w.Decoders[0], [k, d], dtype);
        s.Add("b_enc", w.EncoderBias, [k], dtype);
        if (w.DecoderBias is not null) s.Add("b_dec", w.DecoderBias, [d], dtype);
        if (w.Threshold is not null) s.Add(omitThresholdName ? "threshold" : "activation_function.threshold", w.Threshold, [k], dtype);
        if (w.Skip is not null) s.Add("W_skip", TranscoderLayerWeights.Transpose(w.Skip, d, d), [d, d], dtype);
        extra?.Invoke(s);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        s.Write(path);
    }

    /// <summary>Writes a cross-layer transcoder: <paramref name="layers"/>[i] must have n − i decoders.</summary>
    public static void WriteCrossLayer(string dir, IReadOnlyList<TranscoderLayerWeights> layers, DType dtype = DType.F32)
    {
        Directory.CreateDirectory(dir);
        int n = layers.Count;
        for (int i = 0; i < n; i++)
        {
            var w = layers[i];
            int d = w.DModel, k = w.Width;
            if (w.Decoders.Length != n - i) throw new ArgumentException($"layer {i} needs {n - i} decoders");
            var enc = new SafeTensorsWriter();
            enc.Add($"W_enc_{i}", TranscoderLayerWeights.Transpose(w.Encoder, d, k), [k, d], dtype);
            enc.Add($"b_enc_{i}", w.EncoderBias, [k], dtype);
            enc.Add($"b_dec_{i}", w.DecoderBias ?? new float[d], [d], dtype);
            if (w.Threshold is not null) enc.Add($"threshold_{i}", w.Threshold, [k], dtype);
            if (w.Skip is not null) enc.Add($"W_skip_{i}", w.Skip, [d, d], dtype);
            enc.Write(Path.Combine(dir, $"W_enc_{i}.safetensors"));
            var dec = new float[k * (n - i) * d]; // [K, n−i, D]
            for (int f = 0; f < k; f++)
                for (int j = 0; j < n - i; j++)
                    Array.Copy(w.Decoders[j], f * d, dec, (f * (n - i) + j) * d, d);
            new SafeTensorsWriter().Add($"W_dec_{i}", dec, [k, n - i, d], dtype).Write(Path.Combine(dir, $"W_dec_{i}.safetensors"));
        }
    }

    /// <summary>Writes config.yaml; <paramref name="transcoders"/> null omits the list.</summary>
    public static void WriteConfig(string dir, string inputHook, string outputHook, string kind = "transcoder_set", IReadOnlyList<string>? transcoders = null,
        string? extraYaml = null, string modelName = "synthetic/gpt2")
    {
        var y = new StringBuilder()
            .AppendLine($"model_name: \"{modelName}\"")
            .AppendLine($"model_kind: \"{kind}\"")
            .AppendLine($"feature_input_hook: \"{inputHook}\"")
            .AppendLine($"feature_output_hook: '{outputHook}'");
        if (transcoders is not null)
        {
            y.AppendLine("transcoders:");
            foreach (var t in transcoders) y.AppendLine($"  - \"{t}\"");
        }
        if (extraYaml is not null) y.AppendLine(extraYaml);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), y.ToString());
    }
}
