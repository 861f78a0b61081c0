using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Writes Gemma Scope <c>params.npz</c> files (np.savez layout: W_enc [D, K], W_dec [K, D], b_enc [K], b_dec [D],
/// threshold [K], all float32; reference.md §1.4b) and the <c>layer_{L}/width_16k/average_l0_{N}/</c> tree.
/// </summary>
public static class GemmaScopeFileWriter
{
    public static string RelativePath(int layer, int l0, string width = "16k") => Path.Combine($"layer_{layer}", $"width_{width}", $"average_l0_{l0}", "params.npz");

    public static void Write(string path, TranscoderLayerWeights w, bool compressed = false, Func<IEnumerable<TensorData>, IEnumerable<TensorData>>? edit = null)
    {
        if (w.Threshold is null || w.DecoderBias is null) throw new ArgumentException("Gemma Scope transcoders have thresholds and b_dec");
        int d = w.DModel, k = w.Width;
        IEnumerable<TensorData> tensors =
        [
            TensorData.FromF32("W_enc", [d, k], w.Encoder),
            TensorData.FromF32("W_dec", [k, d], w.Decoders[0]),
            TensorData.FromF32("b_enc", [k], w.EncoderBias),
            TensorData.FromF32("b_dec", [d], w.DecoderBias),
            TensorData.FromF32("threshold", [k], w.Threshold),
        ];
        if (edit is not null) tensors = edit(tensors).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        NpzWriter.Write(path, tensors, compressed);
    }

    /// <summary>Writes <paramref name="w"/> at <c>root/layer_{L}/width_{width}/average_l0_{l0}/params.npz</c> and returns the path.</summary>
    public static string WriteInTree(string root, TranscoderLayerWeights w, int l0, string width = "16k")
    {
        string path = Path.Combine(root, RelativePath(w.Layer, l0, width));
        Write(path, w);
        return path;
    }
}
