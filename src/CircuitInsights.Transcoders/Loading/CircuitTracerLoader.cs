using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// circuit-tracer transcoder sets (reference.md §1.4c): a folder with <c>config.yaml</c> giving
/// <c>feature_input_hook</c>/<c>feature_output_hook</c>, <c>model_kind</c> (<c>transcoder_set</c> or
/// <c>cross_layer_transcoder</c>) and optionally an explicit <c>transcoders:</c> list (paths, <c>hf://</c> URIs, or
/// <c>{layer, filepath}</c> entries); without it the files <c>layer_{i}.safetensors</c> (or, for CLTs,
/// <c>W_enc_{i}.safetensors</c> + <c>W_dec_{i}.safetensors</c>) are used. Per-layer files hold W_enc [K, D], W_dec [K, D]
/// (the older [D, K] decoder layout is detected and transposed), b_enc [K], b_dec [D] (output bias), optional
/// <c>activation_function.threshold</c> [K] (JumpReLU) and W_skip [D, D] (applied as x·W_skipᵀ). Gemma Scope
/// <c>params.npz</c> entries (W_enc [D, K], W_dec [K, D], b_enc, b_dec, threshold) are accepted in the list.
/// </summary>
public sealed class CircuitTracerLoader : ITranscoderLoader
{
    public string Format => "circuit-tracer";

    public bool CanLoad(string path) =>
        Directory.Exists(path) ? File.Exists(Path.Combine(path, "config.yaml")) :
        Path.GetFileName(path) is "config.yaml" or "config.yml";

    public TranscoderSet Load(string path, TranscoderLoadOptions options)
    {
        string configPath = Directory.Exists(path) ? Path.Combine(path, "config.yaml") : path;
        string root = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        var config = YamlConfig.Load(configPath);
        string inputHook = config.GetString("feature_input_hook");
        string outputHook = config.GetString("feature_output_hook");
        string kind = config.GetString("model_kind", "transcoder_set");
        string? activationName = config.GetOptionalString("activation");
        int? k = config.GetOptionalInt("k");
        string? modelName = config.GetOptionalString("model_name");

        var transcoders = new List<Transcoder>();
        var files = new Dictionary<int, string>();
        try
        {
            if (kind == "cross_layer_transcoder")
                LoadCrossLayer(root, options, transcoders, files);
            else if (kind == "transcoder_set")
                foreach (var (layer, file) in LayerFiles(config, root))
                {
                    if (options.Layers is { } only && !only.Contains(layer)) continue;
                    transcoders.Add(LoadLayer(file, layer, activationName, k));
                    files[layer] = file;
                }
            else throw new InvalidModelFileException(configPath, $"model_kind '{kind}' is not supported (expected transcoder_set or cross_layer_transcoder)");
        }
        catch
        {
            foreach (var t in transcoders) t.Dispose();
            throw;
        }
        if (transcoders.Count == 0) throw new InvalidModelFileException(configPath, "no transcoder layers found (no transcoders: list and no layer_0.safetensors)");
        var first = transcoders[0];
        string act = first.Activation switch
        {
            TranscoderActivation.TopK => $"topk:{first.TopK}",
            TranscoderActivation.JumpRelu => "jumprelu",
            _ => "relu",
        };
        var info = new TranscoderSetInfo(Format, root, modelName, inputHook, outputHook, act, InputCentering: false,
            OutputBias: first.DecoderBias is not null, Skip: first.Skip is not null, CrossLayer: kind == "cross_layer_transcoder",
            first.Width, transcoders.Select(t => t.Layer).Order().ToArray(), files);
        return new TranscoderSet(transcoders, info);
    }

    static IEnumerable<(int Layer, string File)> LayerFiles(YamlConfig config, string root)
    {
        if (config.GetNode("transcoders") is { Kind: ConfigValueKind.List } list)
        {
            for (int i = 0; i < list.Items.Count; i++)
            {
                var item = list.Items[i];
                if (item.Kind == ConfigValueKind.String) yield return (i, ResolveFile(item.Text!, root));
                else if (item.Kind == ConfigValueKind.Object)
                {
                    var obj = config.GetObjectList("transcoders")[i];
                    yield return (obj.GetInt("layer"), ResolveFile(obj.GetString("filepath"), root));
                }
                else throw new InvalidModelFileException(config.File, $"transcoders[{i}] (line {item.Line}): expected a path or a {{layer, filepath}} mapping");
            }
            yield break;
        }
        for (int i = 0; File.Exists(Path.Combine(root, $"layer_{i}.safetensors")); i++)
            yield return (i, Path.Combine(root, $"layer_{i}.safetensors"));
    }

    static string ResolveFile(string entry, string root)
    {
        if (HfUri.IsHfUri(entry)) return HfUri.ResolveLocal(entry);
        string p = Path.IsPathRooted(entry) ? entry : Path.Combine(root, entry);
        return File.Exists(p) ? p : throw new InvalidModelFileException(p, "transcoder file listed in config.yaml not found");
    }

    static Transcoder LoadLayer(string file, int layer, string? activationName, int? k)
    {
        var source = TensorSources.Open(file);
        try
        {
            var t = new TranscoderTensors(source);
            bool npz = file.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);
            MatrixRef encoder; // [D, K]
            MatrixRef decoder; // [K, D]
            var encRaw = t.Matrix("W_enc");
            var decRaw = t.Matrix("W_dec");
            if (npz) { encoder = encRaw; decoder = decRaw; }
            else
            {
                encoder = encRaw.Transposed();
                decoder = decRaw.Rows == encRaw.Rows ? decRaw : decRaw.Transposed();
            }
            int d = encoder.Rows, width = encoder.Cols;
            if (decoder.Rows != width || decoder.Cols != d)
                throw new InvalidModelFileException(file, $"W_dec has shape [{decRaw.Rows}, {decRaw.Cols}], expected [{width}, {d}] to match W_enc");
            var bEnc = t.Vector("b_enc", width);
            var bDec = t.Has("b_dec") ? t.Vector("b_dec", d) : null;
            float[]? threshold = t.Has("activation_function.threshold") ? t.Vector("activation_function.threshold", width)
                : t.Has("threshold") ? t.Vector("threshold", width) : null;
            MatrixRef? skip = t.Has("W_skip") ? t.Matrix("W_skip").Transposed() : null;
            var activation = threshold is not null ? TranscoderActivation.JumpRelu
                : activationName?.ToLowerInvariant() == "topk" || k is not null ? TranscoderActivation.TopK : TranscoderActivation.Relu;
            if (activation == TranscoderActivation.TopK && k is null) throw new InvalidModelFileException(file, "TopK activation needs 'k' in config.yaml");
            return new OwningTranscoder(source, layer, encoder, bEnc, [decoder], bDec, activation, threshold, k, null, skip);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    static void LoadCrossLayer(string root, TranscoderLoadOptions options, List<Transcoder> result, Dictionary<int, string> files)
    {
        int n = 0;
        while (File.Exists(Path.Combine(root, $"W_enc_{n}.safetensors"))) n++;
        if (n == 0) throw new InvalidModelFileException(root, "cross-layer transcoder folder has no W_enc_0.safetensors");
        for (int i = 0; i < n; i++)
        {
            if (options.Layers is { } only && !only.Contains(i)) continue;
            string encFile = Path.Combine(root, $"W_enc_{i}.safetensors"), decFile = Path.Combine(root, $"W_dec_{i}.safetensors");
            var encSource = TensorSources.Open(encFile);
            ITensorSource? decSource = null;
            try
            {
                decSource = TensorSources.Open(decFile);
                var te = new TranscoderTensors(encSource);
                var encRaw = te.Matrix($"W_enc_{i}");
                var encoder = encRaw.Transposed();
                int d = encoder.Rows, width = encoder.Cols;
                var bEnc = te.Vector($"b_enc_{i}", width);
                var bDec = te.Has($"b_dec_{i}") ? te.Vector($"b_dec_{i}", d) : null;
                float[]? threshold = te.Has($"threshold_{i}") ? te.Vector($"threshold_{i}", width) : null;
                var decInfo = new TranscoderTensors(decSource).Info($"W_dec_{i}");
                if (decInfo.Shape.Length != 3 || decInfo.Shape[0] != width || decInfo.Shape[1] != n - i || decInfo.Shape[2] != d)
                    throw new InvalidModelFileException(decFile, $"W_dec_{i} has shape {decInfo.ShapeText}, expected [{width}, {n - i}, {d}]");
                var decAll = decSource.Load($"W_dec_{i}").AsMatrix(width, (n - i) * d);
                var decoders = Enumerable.Range(0, n - i).Select(j => decAll.Slice(0, width, j * d, d)).ToArray();
                result.Add(new OwningTranscoder(new CompositeDisposable(encSource, decSource), i, encoder, bEnc, decoders, bDec,
                    threshold is null ? TranscoderActivation.Relu : TranscoderActivation.JumpRelu, threshold, null, null, null));
                files[i] = encFile;
            }
            catch
            {
                encSource.Dispose();
                decSource?.Dispose();
                throw;
            }
        }
    }

    sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
    {
        public void Dispose() { foreach (var i in items) i.Dispose(); }
    }
}
