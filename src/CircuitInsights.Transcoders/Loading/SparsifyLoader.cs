using System.Globalization;
using System.Text.RegularExpressions;
using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// EleutherAI sparsify sparse coders (reference.md §1.4c; sparsify <c>sparse_coder.py</c>, <c>fused_encoder.py</c>,
/// <c>config.py</c> — see docs/transcoders.md for what was verified): one folder per hookpoint
/// (<c>layers.{L}.mlp/</c>) with <c>cfg.json</c> (SparseCoderConfig fields + <c>d_in</c>) and <c>sae.safetensors</c>:
/// <code>
/// encoder.weight [K, D]  encoder.bias [K]  W_dec [K, D]  b_dec [D]  W_skip [D, D]?
/// pre = ReLU(x·encoder.weightᵀ + encoder.bias);  keep the k largest per position (activation "topk")
/// out = a·W_dec + b_dec (+ x·W_skipᵀ)       — with transcode=true b_dec is NOT subtracted from x
/// </code>
/// A transcoder on hookpoint <c>layers.L.mlp</c> is trained on that module's input and output, i.e. <c>mlp.hook_in</c>
/// (the pre-MLP norm output incl. its gain) → <c>mlp.hook_out</c> (the MLP module output; for Gemma-2 this is before the
/// post-feed-forward norm). Other hookpoints need explicit hooks. Accepts a hookpoint folder (layer from its name or
/// <see cref="TranscoderLoadOptions.Layer"/>), its cfg.json / sae.safetensors, or a folder of hookpoint folders.
/// </summary>
public sealed partial class SparsifyLoader : ILayerFilesLoader
{
    public const string InputHook = "mlp.hook_in";
    public const string OutputHook = "mlp.hook_out";
    /// <summary>sparsify's SparseCoderConfig default k (used when cfg.json omits it).</summary>
    public const int DefaultK = 32;

    public string Format => "sparsify";

    static bool IsCoderFolder(string dir) => File.Exists(Path.Combine(dir, "cfg.json")) && File.Exists(Path.Combine(dir, "sae.safetensors"));

    public bool CanLoad(string path)
    {
        if (File.Exists(path))
            return Path.GetFileName(path) is "cfg.json" or "sae.safetensors" && IsCoderFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return Directory.Exists(path) && (IsCoderFolder(path) || Directory.EnumerateDirectories(path).Any(IsCoderFolder));
    }

    public TranscoderSet Load(string path, TranscoderLoadOptions options)
    {
        string dir = Path.GetFullPath(File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path);
        var folders = new Dictionary<int, string>();
        if (IsCoderFolder(dir))
        {
            int? fromName = ParseHookpoint(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)))?.Layer;
            if (fromName is int a && options.Layer is int b && a != b)
                throw new InvalidModelFileException(dir, $"the folder name says layer {a} but layer {b} was requested");
            int layer = fromName ?? options.Layer
                ?? throw new InvalidModelFileException(dir, "cannot tell the layer from the folder name (expected a hookpoint like layers.{L}.mlp); pass --layer");
            folders[layer] = dir;
        }
        else
        {
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(IsCoderFolder).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(sub);
                var hp = ParseHookpoint(name) ?? throw new InvalidModelFileException(sub, $"folder name '{name}' is not a hookpoint with a layer (expected e.g. layers.{{L}}.mlp); load it on its own with --layer");
                if (!folders.TryAdd(hp.Layer, sub))
                    throw new InvalidModelFileException(dir, $"two sparse coders for layer {hp.Layer}: {Path.GetFileName(folders[hp.Layer])} and {name}; load one folder explicitly");
            }
            if (folders.Count == 0) throw new InvalidModelFileException(dir, "no sparsify hookpoint folders (cfg.json + sae.safetensors) found");
        }
        return LoadLayerFiles(folders, options, dir);
    }

    public TranscoderSet LoadLayerFiles(IReadOnlyDictionary<int, string> files, TranscoderLoadOptions options, string source)
    {
        using var builder = new TranscoderSetBuilder(Format, source, options);
        var wanted = files.Where(f => options.Wants(f.Key)).OrderBy(f => f.Key).ToList();
        bool allMlp = wanted.All(f => ParseHookpoint(Path.GetFileName(Path.TrimEndingDirectorySeparator(f.Value)))?.Module is ".mlp");
        if (allMlp)
        {
            builder.InputHook = InputHook;
            builder.OutputHook = OutputHook;
            builder.Note("hooks from the sparsify hookpoint: transcoders on layers.L.mlp see the MLP module's input (mlp.hook_in) and output (mlp.hook_out)");
        }
        foreach (var (layer, folder) in wanted) ReadFolder(folder, layer, builder);
        return builder.Build();
    }

    static void ReadFolder(string folder, int layer, TranscoderSetBuilder builder)
    {
        string cfgPath = Path.Combine(folder, "cfg.json"), weights = Path.Combine(folder, "sae.safetensors");
        var cfg = JsonConfig.Load(cfgPath);
        builder.AddSourceFile(cfgPath);
        int dIn = cfg.GetInt("d_in");
        if (!cfg.GetBool("transcode", false))
            throw new InvalidModelFileException(cfgPath, "transcode is false: this is a sparse autoencoder, not a transcoder");
        string activation = cfg.GetString("activation", "topk");
        if (activation != "topk")
            throw new InvalidModelFileException(cfgPath, $"activation '{activation}' is not supported (only topk)");
        foreach (var flag in new[] { "embed_skip", "gram_lookup", "signed" })
            if (cfg.GetBool(flag, false)) throw new InvalidModelFileException(cfgPath, $"{flag}: true is not supported");
        int? kOpt = cfg.GetOptionalInt("k");
        if (kOpt is null) builder.Note($"cfg.json has no k: sparsify's default k = {DefaultK} applies");
        int k = kOpt ?? DefaultK;
        bool skipConnection = cfg.GetBool("skip_connection", false);
        int numLatents = cfg.GetInt("num_latents", 0), expansion = cfg.GetInt("expansion_factor", 32);
        long expectedWidth = numLatents > 0 ? numLatents : (long)dIn * expansion;

        var source = TensorSources.Open(weights);
        try
        {
            var t = new TranscoderTensors(source);
            var enc = t.Matrix("encoder.weight"); // [K, D]
            if (enc.Cols != dIn)
                throw new InvalidModelFileException(weights, $"tensor 'encoder.weight' has shape [{enc.Rows}, {enc.Cols}], but cfg.json d_in is {dIn}");
            int width = enc.Rows;
            if (width != expectedWidth)
                throw new InvalidModelFileException(weights, $"tensor 'encoder.weight' has {width} latents, but cfg.json implies {expectedWidth} (num_latents {numLatents}, expansion_factor {expansion}, d_in {dIn})");
            if (k <= 0 || k > width) throw new InvalidModelFileException(cfgPath, $"k = {k} must be in 1..{width}");
            var bEnc = t.Vector("encoder.bias", width);
            var decInfo = t.Info("W_dec");
            if (decInfo.Shape.Length != 2 || decInfo.Shape[0] != width)
                throw new InvalidModelFileException(weights, $"tensor 'W_dec' has shape {decInfo.ShapeText}, expected [{width}, d_out]");
            var dec = t.Matrix("W_dec"); // [K, Dout]
            var bDec = t.Vector("b_dec", dec.Cols);
            MatrixRef? skip = null;
            if (t.Has("W_skip") != skipConnection)
                throw new InvalidModelFileException(weights, skipConnection ? "cfg.json has skip_connection: true but the file has no 'W_skip'" : "the file has 'W_skip' but cfg.json says skip_connection: false");
            if (skipConnection) skip = t.Matrix("W_skip", dec.Cols, dIn).Transposed(); // stored [Dout, D], applied as x·W_skipᵀ
            var transcoder = OwningTranscoder.Create(weights, source, layer, enc.Transposed(), bEnc, [dec], bDec, TranscoderActivation.TopK, null, k, null, skip);
            builder.Add(transcoder, weights, t.DTypes);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Parses a sparsify hookpoint folder name (<c>layers.3.mlp</c>, <c>h.3.mlp</c>, <c>model.layers.3.mlp</c>).</summary>
    public static (int Layer, string Module)? ParseHookpoint(string name)
    {
        var m = Hookpoint().Match(name);
        if (!m.Success || !int.TryParse(m.Groups["layer"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int layer)) return null;
        return (layer, m.Groups["rest"].Value);
    }

    [GeneratedRegex(@"^(?:[A-Za-z_]+\.)*(?:layers|h|blocks)\.(?<layer>\d{1,6})(?<rest>(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$")]
    private static partial Regex Hookpoint();
}
