using System.Globalization;
using System.Text.RegularExpressions;
using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// circuit-tracer transcoder sets (reference.md §1.4c; circuit-tracer <c>utils/hf_utils.py load_transcoders</c>,
/// <c>transcoder/*.py</c>): a folder with <c>config.yaml</c> giving <c>feature_input_hook</c> /
/// <c>feature_output_hook</c> (relative, or templated <c>blocks.{layer}.…</c>), <c>model_kind</c>
/// (<c>transcoder_set</c> | <c>cross_layer_transcoder</c>), optional <c>subfolder</c>, optional <c>activation</c>/<c>k</c>,
/// and optionally an explicit <c>transcoders:</c> list (entry i is layer i; local paths relative to the config, or
/// <c>hf://</c> URIs resolved in the local Hugging Face cache). Without the list, <c>layer_{i}.safetensors</c> for
/// i = 0,1,… are used. Per-layer files: see <see cref="CircuitTracerLayerFile"/>; Gemma Scope <c>.npz</c> entries are
/// read as <see cref="GemmaScopeNpzLoader"/> does.
/// <para>Cross-layer transcoders (<c>CrossLayerTranscoder.to_safetensors</c>): for every layer i of n,
/// <c>W_enc_{i}.safetensors</c> = {W_enc_i [K, D], b_enc_i [K], b_dec_i [D], threshold_i [K]?, W_skip_i [D, D]?} and
/// <c>W_dec_{i}.safetensors</c> = {W_dec_i [K, n−i, D]}; the output at layer j is
/// Σ_{i≤j} a_i·W_dec_i[:, j−i, :] + b_dec_j + x_j·W_skip_j (the CLT skip is NOT transposed, unlike the per-layer one);
/// JumpReLU iff thresholds exist, else ReLU. A CLT folder without config.yaml uses circuit-tracer's <c>load_clt</c>
/// default hooks hook_resid_mid → hook_mlp_out (recorded in the notes).</para>
/// </summary>
public sealed partial class CircuitTracerLoader : ILayerFilesLoader
{
    public string Format => "circuit-tracer";

    public bool CanLoad(string path)
    {
        if (File.Exists(path)) return Path.GetFileName(path) is "config.yaml" or "config.yml";
        return Directory.Exists(path) && (File.Exists(Path.Combine(path, "config.yaml")) || File.Exists(Path.Combine(path, "config.yml")) ||
            File.Exists(Path.Combine(path, "W_enc_0.safetensors")) || File.Exists(Path.Combine(path, "layer_0.safetensors")));
    }

    public TranscoderSet Load(string path, TranscoderLoadOptions options)
    {
        string? configPath = File.Exists(path) ? path
            : new[] { "config.yaml", "config.yml" }.Select(n => Path.Combine(path, n)).FirstOrDefault(File.Exists);
        if (configPath is not null) return LoadFromConfig(Path.GetFullPath(configPath), options);

        string dir = Path.GetFullPath(path);
        using var builder = new TranscoderSetBuilder(Format, dir, options);
        if (File.Exists(Path.Combine(dir, "W_enc_0.safetensors")))
        {
            builder.InputHook = "hook_resid_mid";
            builder.OutputHook = "hook_mlp_out";
            builder.Note("no config.yaml: hooks are circuit-tracer load_clt defaults (hook_resid_mid → hook_mlp_out)");
            LoadCrossLayer(dir, options, builder);
        }
        else
            foreach (var (layer, file) in NumberedLayerFiles(dir))
                if (options.Wants(layer)) CircuitTracerLayerFile.Read(file, layer, null, null, dir, builder);
        return builder.Build();
    }

    /// <summary>Per-layer circuit-tracer files given explicitly (hooks must come from <paramref name="options"/>).</summary>
    public TranscoderSet LoadLayerFiles(IReadOnlyDictionary<int, string> files, TranscoderLoadOptions options, string source)
    {
        using var builder = new TranscoderSetBuilder(Format, source, options);
        foreach (var (layer, file) in files.OrderBy(f => f.Key))
            if (options.Wants(layer)) CircuitTracerLayerFile.Read(file, layer, null, null, source, builder);
        return builder.Build();
    }

    TranscoderSet LoadFromConfig(string configPath, TranscoderLoadOptions options)
    {
        var config = YamlConfig.Load(configPath);
        string root = Path.GetDirectoryName(configPath)!;
        if (config.GetOptionalString("subfolder") is { Length: > 0 } sub)
        {
            if (Path.IsPathRooted(sub) || sub.Replace('\\', '/').Split('/').Contains(".."))
                throw new InvalidModelFileException(configPath, $"subfolder '{sub}' must be a relative path inside the set's folder");
            root = Path.Combine(root, sub);
        }
        string kind = config.GetString("model_kind", "transcoder_set");
        using var builder = new TranscoderSetBuilder(Format, Path.GetDirectoryName(configPath)!, options)
        {
            InputHook = TranscoderHooks.Normalize(config.GetString("feature_input_hook"), configPath, "feature_input_hook"),
            OutputHook = TranscoderHooks.Normalize(config.GetString("feature_output_hook"), configPath, "feature_output_hook"),
            ModelName = config.GetOptionalString("model_name"),
        };
        builder.AddSourceFile(configPath);
        string? activation = config.GetOptionalString("activation");
        int? k = config.GetOptionalInt("k");
        switch (kind)
        {
            case "transcoder_set":
                foreach (var (layer, file) in LayerFiles(config, root, options))
                    if (options.Wants(layer)) CircuitTracerLayerFile.Read(file, layer, activation, k, configPath, builder);
                break;
            case "cross_layer_transcoder":
                if (config.Has("transcoders"))
                    throw new InvalidModelFileException(configPath, "cross-layer sets with a transcoders: list (Gemma Scope 2 CLTs) are not supported; expected W_enc_{i}/W_dec_{i}.safetensors files");
                if (activation is not null && activation.Replace("_", "").ToLowerInvariant() is not ("relu" or "jumprelu"))
                    throw new InvalidModelFileException(configPath, $"activation '{activation}' is not supported for cross-layer transcoders (ReLU, or JumpReLU when threshold_i tensors exist)");
                builder.CrossLayer = true;
                LoadCrossLayer(root, options, builder);
                break;
            default:
                throw new InvalidModelFileException(configPath, $"model_kind '{kind}' is not supported (expected transcoder_set or cross_layer_transcoder)");
        }
        return builder.Build();
    }

    static IEnumerable<(int Layer, string File)> LayerFiles(YamlConfig config, string root, TranscoderLoadOptions options)
    {
        if (config.GetNode("transcoders") is not { } node)
            return NumberedLayerFiles(root).Any() ? NumberedLayerFiles(root)
                : throw new InvalidModelFileException(config.File, $"no transcoders: list and no layer_0.safetensors in {root}");
        if (node.Kind != ConfigValueKind.List)
            throw new InvalidModelFileException(config.File, $"transcoders (line {node.Line}) must be a list of paths, found {node.Describe()}");
        var result = new List<(int, string)>();
        if (node.Items.Count > 0 && node.Items.All(i => i.Kind == ConfigValueKind.Object))
        {
            foreach (var item in config.GetObjectList("transcoders"))
                result.Add((item.GetInt("layer"), ResolveEntry(item.GetString("filepath"), root, config.File, options)));
            return result;
        }
        for (int i = 0; i < node.Items.Count; i++)
        {
            var item = node.Items[i];
            if (item.Kind != ConfigValueKind.String)
                throw new InvalidModelFileException(config.File, $"transcoders[{i}] (line {item.Line}): expected a path or hf:// URI, found {item.Describe()}");
            // Entry i is layer i (circuit-tracer resolve_transcoder_paths).
            if (options.Wants(i)) result.Add((i, ResolveEntry(item.Text!, root, config.File, options)));
        }
        return result;
    }

    static string ResolveEntry(string entry, string root, string configFile, TranscoderLoadOptions options)
    {
        if (HfUri.IsHfUri(entry)) return HfUri.ResolveLocal(entry, options.HubCaches);
        string p = Path.IsPathRooted(entry) ? entry : Path.Combine(root, entry);
        return File.Exists(p) ? p : throw new InvalidModelFileException(configFile, $"transcoder file '{entry}' listed in transcoders: not found (looked for {p})");
    }

    static IEnumerable<(int Layer, string File)> NumberedLayerFiles(string dir)
    {
        for (int i = 0; File.Exists(Path.Combine(dir, $"layer_{i}.safetensors")); i++)
            yield return (i, Path.Combine(dir, $"layer_{i}.safetensors"));
    }

    static void LoadCrossLayer(string dir, TranscoderLoadOptions options, TranscoderSetBuilder builder)
    {
        builder.CrossLayer = true;
        var numbers = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "W_enc_*.safetensors").Select(f => EncoderFile().Match(Path.GetFileName(f)))
                .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Order().ToList()
            : [];
        int n = numbers.Count;
        if (n == 0) throw new InvalidModelFileException(dir, "cross-layer transcoder folder has no W_enc_{i}.safetensors files");
        if (!numbers.SequenceEqual(Enumerable.Range(0, n)))
            throw new InvalidModelFileException(dir, $"W_enc_{{i}}.safetensors files must be numbered 0..{n - 1}, found {string.Join(", ", numbers.Take(20))}");
        for (int i = 0; i < n; i++)
        {
            if (!options.Wants(i)) continue;
            string encFile = Path.Combine(dir, $"W_enc_{i}.safetensors"), decFile = Path.Combine(dir, $"W_dec_{i}.safetensors");
            if (!File.Exists(decFile)) throw new InvalidModelFileException(decFile, $"missing decoder file for layer {i} of the cross-layer transcoder");
            var encSource = TensorSources.Open(encFile);
            ITensorSource? decSource = null;
            try
            {
                decSource = TensorSources.Open(decFile);
                var te = new TranscoderTensors(encSource);
                var enc = te.Matrix($"W_enc_{i}"); // [K, D]
                int width = enc.Rows, d = enc.Cols;
                var bEnc = te.Vector($"b_enc_{i}", width);
                var bDec = te.Vector($"b_dec_{i}", d);
                var threshold = te.OptionalVector($"threshold_{i}", width);
                MatrixRef? skip = te.Has($"W_skip_{i}") ? te.Matrix($"W_skip_{i}", d, d) : null; // applied as x·W_skip (circuit-tracer compute_skip)
                var td = new TranscoderTensors(decSource);
                var decAll = td.Rank3($"W_dec_{i}", width, n - i, d);
                var decoders = Enumerable.Range(0, n - i).Select(j => decAll.Slice(0, width, j * d, d)).ToArray();
                var transcoder = OwningTranscoder.Create(encFile, new CompositeDisposable(encSource, decSource), i, enc.Transposed(), bEnc, decoders, bDec,
                    threshold is null ? TranscoderActivation.Relu : TranscoderActivation.JumpRelu, threshold, null, null, skip);
                builder.Add(transcoder, encFile, te.DTypes.Concat(td.DTypes));
                builder.AddSourceFile(decFile);
            }
            catch
            {
                encSource.Dispose();
                decSource?.Dispose();
                throw;
            }
        }
    }

    [GeneratedRegex(@"^W_enc_(\d{1,6})\.safetensors$")]
    private static partial Regex EncoderFile();
}
