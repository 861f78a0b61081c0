using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Writes an EleutherAI sparsify transcoder folder as <c>SparseCoder.save_to_disk</c> does: <c>cfg.json</c>
/// (SparseCoderConfig fields + d_in) and <c>sae.safetensors</c> (encoder.weight [K, D], encoder.bias [K], W_dec [K, D],
/// b_dec [D], W_skip [D, D] applied as x·W_skipᵀ).
/// </summary>
public static class SparsifyFileWriter
{
    public static Dictionary<string, object?> Config(TranscoderLayerWeights w, int k) => new()
    {
        ["activation"] = "topk",
        ["expansion_factor"] = 32,
        ["normalize_decoder"] = true,
        ["num_latents"] = w.Width,
        ["k"] = k,
        ["multi_topk"] = false,
        ["skip_connection"] = w.Skip is not null,
        ["transcode"] = true,
        ["d_in"] = w.DModel,
    };

    public static void Write(string folder, TranscoderLayerWeights w, int k, DType dtype = DType.F32,
        Action<Dictionary<string, object?>>? editConfig = null, Action<SafeTensorsWriter>? extra = null, bool omitDecoder = false)
    {
        Directory.CreateDirectory(folder);
        var cfg = Config(w, k);
        editConfig?.Invoke(cfg);
        File.WriteAllText(Path.Combine(folder, "cfg.json"), JsonSerializer.Serialize(cfg));
        int d = w.DModel, kk = w.Width;
        var s = new SafeTensorsWriter();
        s.Add("encoder.weight", TranscoderLayerWeights.Transpose(w.Encoder, d, kk), [kk, d], dtype);
        s.Add("encoder.bias", w.EncoderBias, [kk], dtype);
        if (!omitDecoder) s.Add("W_dec", w.Decoders[0], [kk, d], dtype);
        s.Add("b_dec", w.DecoderBias ?? new float[d], [d], dtype);
        if (w.Skip is not null) s.Add("W_skip", TranscoderLayerWeights.Transpose(w.Skip, d, d), [d, d], dtype);
        extra?.Invoke(s);
        s.Write(Path.Combine(folder, "sae.safetensors"));
    }
}
