using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// One circuit-tracer per-layer transcoder file (reference.md §1.4c; circuit-tracer
/// <c>SingleLayerTranscoder.to_safetensors</c> / <c>load_relu_transcoder</c> / <c>load_gemma_scope_transcoder</c>):
/// <code>
/// W_enc [K, D]  (row per feature)      b_enc [K]
/// W_dec [K, D]  (older files: [D, K], detected when K ≠ D and transposed)
/// b_dec [D]     output bias (never subtracted from the input)
/// activation_function.threshold [K]   optional → JumpReLU (pre &gt; θ); else ReLU, or TopK when config.yaml says so
/// W_skip [D, D] optional → out += x·W_skipᵀ
/// </code>
/// Gemma Scope <c>params.npz</c> entries are delegated to <see cref="GemmaScopeNpzLoader.ReadLayer"/>.
/// </summary>
internal static class CircuitTracerLayerFile
{
    /// <param name="activation">config.yaml <c>activation</c> (relu, jumprelu/jump_relu, topk) or null.</param>
    /// <param name="k">config.yaml <c>k</c> for TopK, or null.</param>
    public static void Read(string file, int layer, string? activation, int? k, string configFile, TranscoderSetBuilder builder)
    {
        string? act = activation?.Trim().ToLowerInvariant().Replace("_", "");
        if (act is not (null or "relu" or "jumprelu" or "topk"))
            throw new InvalidModelFileException(configFile, $"activation '{activation}' is not supported (expected relu, jump_relu or topk)");
        if (file.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            if (act is "relu" or "topk") throw new InvalidModelFileException(configFile, $"activation '{activation}' conflicts with the Gemma Scope file {file}, which is JumpReLU");
            GemmaScopeNpzLoader.ReadLayer(file, layer, builder);
            return;
        }
        var source = TensorSources.Open(file);
        try
        {
            var t = new TranscoderTensors(source);
            if (t.Has("w_enc") && !t.Has("W_enc"))
                throw new InvalidModelFileException(file, "this is a Gemma Scope 2 file (w_enc/w_dec); that format is not supported yet");
            foreach (var name in new[] { "log_thresholds", "log_threshold" })
                if (t.Has(name)) throw new InvalidModelFileException(file, $"tensor '{name}' (log-parameterised JumpReLU) is not supported; circuit-tracer's ReLU loader rejects it too");
            var enc = t.Matrix("W_enc"); // [K, D]
            int width = enc.Rows, d = enc.Cols;
            var decInfo = t.Info("W_dec");
            if (decInfo.Shape.Length != 2 || (decInfo.Shape[0] != width && decInfo.Shape[1] != width))
                throw new InvalidModelFileException(file, $"tensor 'W_dec' has shape {decInfo.ShapeText}, expected [{width}, d_model] to match W_enc {string.Join("x", width, d)}");
            MatrixRef decoder; // [K, Dout]
            if (decInfo.Shape[0] == width) decoder = t.Matrix("W_dec");
            else
            {
                decoder = t.Matrix("W_dec").Transposed();
                builder.Note("W_dec stored as [d_model, d_sae] (older circuit-tracer layout); transposed on load");
            }
            int dOut = decoder.Cols;
            var bEnc = t.Vector("b_enc", width);
            var bDec = t.Vector("b_dec", dOut);
            float[]? threshold = t.OptionalVector("activation_function.threshold", width) ?? t.OptionalVector("threshold", width);
            MatrixRef? skip = null;
            if (t.Has("W_skip")) skip = t.Matrix("W_skip", dOut, d).Transposed(); // checkpoint [Dout, D], applied as x·W_skipᵀ

            TranscoderActivation kind;
            if (threshold is not null)
            {
                if (act is "relu" or "topk") throw new InvalidModelFileException(file, $"file has JumpReLU thresholds but {configFile} says activation '{activation}'");
                kind = TranscoderActivation.JumpRelu;
            }
            else if (act == "jumprelu") throw new InvalidModelFileException(file, $"{configFile} says jump_relu but the file has no 'activation_function.threshold' [{width}]");
            else if (act == "topk" || (act is null && k is not null))
            {
                if (k is not > 0) throw new InvalidModelFileException(configFile, "TopK activation needs a positive 'k'");
                kind = TranscoderActivation.TopK;
            }
            else kind = TranscoderActivation.Relu;

            var transcoder = OwningTranscoder.Create(file, source, layer, enc.Transposed(), bEnc, [decoder], bDec, kind, threshold,
                kind == TranscoderActivation.TopK ? k : null, null, skip);
            builder.Add(transcoder, file, t.DTypes);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }
}
