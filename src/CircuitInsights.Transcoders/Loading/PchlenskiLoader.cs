using System.Globalization;
using System.Text.RegularExpressions;
using CircuitInsights.Formats;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// The Dunefsky/Chlenski GPT-2 small transcoders (<c>pchlenski/gpt2-transcoders</c>, reference.md §0.1 and §1.4a):
/// torch zip pickles <c>final_sparse_autoencoder_gpt2-small_blocks.{L}.ln2.hook_normalized_24576.pt</c> holding
/// <c>{"cfg": sae_training.config.LanguageModelSAERunnerConfig, "state_dict": OrderedDict}</c>. The cfg class stays an
/// inert record (never executed); its <c>hook_point</c>, <c>d_in</c>, <c>d_sae</c>, <c>d_out</c>, <c>is_transcoder</c>
/// fields are cross-checked when present. Weights (transcoder_circuits <c>sparse_autoencoder.py</c>):
/// <code>
/// W_enc [D, K]  b_enc [K]  W_dec [K, D]  b_dec [D] (INPUT centering)  b_dec_out [D] (output bias)
/// pre = (x − b_dec)·W_enc + b_enc;  a = ReLU(pre);  out = a·W_dec + b_dec_out
/// </code>
/// x is TransformerLens' <c>blocks.L.ln2.hook_normalized</c> under fold_ln=True, i.e. LayerNorm of resid_mid WITHOUT
/// γ,β = our <c>ln2.hook_normalized_pre_affine</c>; the target was TL's <c>hook_mlp_out</c> with centred writing
/// weights, i.e. mlp_out − mean_d(mlp_out) (recorded as <see cref="TranscoderSetInfo.OutputMeanCentered"/>).
/// Accepts single files or a folder of them (layer from <c>blocks.{L}.</c> in the name; the
/// <c>*_log_feature_sparsity.pt</c> companions are skipped). Pickles that reference any Python global other than
/// <c>sae_training.*</c> classes are refused.
/// </summary>
public sealed partial class PchlenskiLoader : ILayerFilesLoader
{
    public const string InputHook = "ln2.hook_normalized_pre_affine";
    public const string OutputHook = "hook_mlp_out";

    public string Format => "pchlenski-pt";

    public bool CanLoad(string path)
    {
        if (File.Exists(path)) return IsTranscoderFileName(Path.GetFileName(path));
        return Directory.Exists(path) && !File.Exists(Path.Combine(path, "config.yaml")) &&
            Directory.EnumerateFiles(path, "*.pt").Any(f => IsTranscoderFileName(Path.GetFileName(f)));
    }

    static bool IsTranscoderFileName(string name) =>
        (name.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)) &&
        BlockInName().IsMatch(name) && !name.Contains("log_feature_sparsity", StringComparison.Ordinal);

    public TranscoderSet Load(string path, TranscoderLoadOptions options)
    {
        var files = new Dictionary<int, string>();
        if (File.Exists(path))
        {
            int? fromName = LayerFromName(path);
            if (fromName is int a && options.Layer is int b && a != b)
                throw new InvalidModelFileException(path, $"the file name says layer {a} but layer {b} was requested");
            // -1: take the layer from cfg.hook_point when the name does not carry one.
            files[fromName ?? options.Layer ?? -1] = path;
        }
        else
        {
            foreach (var f in Directory.EnumerateFiles(path).Where(f => IsTranscoderFileName(Path.GetFileName(f))).Order(StringComparer.Ordinal))
            {
                int layer = LayerFromName(f)!.Value;
                if (!files.TryAdd(layer, f))
                    throw new InvalidModelFileException(path, $"two files for layer {layer}: {Path.GetFileName(files[layer])} and {Path.GetFileName(f)}; load one explicitly");
            }
            if (files.Count == 0) throw new InvalidModelFileException(path, "no *blocks.{L}.*.pt transcoder files in this folder");
        }
        return LoadLayerFiles(files, options, Path.GetFullPath(path));
    }

    public TranscoderSet LoadLayerFiles(IReadOnlyDictionary<int, string> files, TranscoderLoadOptions options, string source)
    {
        using var builder = new TranscoderSetBuilder(Format, source, options) { InputHook = InputHook, OutputHook = OutputHook, OutputMeanCentered = true };
        builder.Note("input = TransformerLens ln2.hook_normalized under fold_ln=True = LayerNorm(resid_mid) without γ,β (ln2.hook_normalized_pre_affine); b_dec is subtracted from it before encoding");
        builder.Note("trained on TransformerLens centred weights: the target was mlp_out − mean_d(mlp_out); error nodes here also carry that per-token mean (invisible to every LayerNorm reader)");
        foreach (var (layer, file) in files.OrderBy(f => f.Key))
            if (layer < 0 || options.Wants(layer)) ReadFile(file, layer, options, builder);
        return builder.Build();
    }

    void ReadFile(string file, int layer, TranscoderLoadOptions options, TranscoderSetBuilder builder)
    {
        var ckpt = TorchCheckpoint.Open(file);
        try
        {
            var foreign = ckpt.ForeignGlobals.Where(g => !g.StartsWith("sae_training.", StringComparison.Ordinal)).ToList();
            if (foreign.Count > 0)
                throw new InvalidModelFileException(file, $"refusing to load: the pickle references {string.Join(", ", foreign.Take(5).Select(g => $"'{g}'"))}, which a pchlenski transcoder file never contains (only sae_training config classes); nothing was executed");
            string prefix = ckpt.TryGetInfo("state_dict.W_enc", out _) ? "state_dict." : "";
            if (prefix.Length == 0 && !ckpt.TryGetInfo("W_enc", out _))
                throw new InvalidModelFileException(file, $"no 'state_dict.W_enc' tensor; expected {{\"cfg\", \"state_dict\"}} as saved by transcoder_circuits (file has: {string.Join(", ", ckpt.Tensors.Select(t => t.Name).Take(8))})");
            var t = new TranscoderTensors(ckpt, prefix);
            if (!t.Has("b_dec_out"))
                throw new InvalidModelFileException(file, $"missing tensor '{prefix}b_dec_out': this is a sparse autoencoder, not a transcoder (is_transcoder=False)");
            var enc = t.Matrix("W_enc"); // [D, K]
            int d = enc.Rows, width = enc.Cols;
            var decInfo = t.Info("W_dec");
            if (decInfo.Shape.Length != 2 || decInfo.Shape[0] != width)
                throw new InvalidModelFileException(file, $"tensor '{prefix}W_dec' has shape {decInfo.ShapeText}, expected [{width}, d_out] to match W_enc [{d}, {width}]");
            var dec = t.Matrix("W_dec"); // [K, Dout]
            var bEnc = t.Vector("b_enc", width);
            var centering = t.Vector("b_dec", d);
            var bDecOut = t.Vector("b_dec_out", dec.Cols);
            layer = CheckConfig(ckpt, file, layer, d, width, dec.Cols, options, builder);
            if (!options.Wants(layer))
            {
                ckpt.Dispose();
                return;
            }
            var transcoder = OwningTranscoder.Create(file, ckpt, layer, enc, bEnc, [dec], bDecOut, TranscoderActivation.Relu, inputCentering: centering);
            builder.Add(transcoder, file, t.DTypes);
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    /// <summary>Cross-checks the inert cfg record against the tensors and the file name; returns the layer.</summary>
    static int CheckConfig(TorchCheckpoint ckpt, string file, int layer, int d, int width, int dOut, TranscoderLoadOptions options, TranscoderSetBuilder builder)
    {
        if (!ckpt.TryGetValue("cfg", out var cfg) || cfg is null)
        {
            builder.Note($"{Path.GetFileName(file)} has no cfg; shapes and hooks taken from the tensors and the file name");
            return layer >= 0 ? layer : throw new InvalidModelFileException(file, "no cfg and no blocks.{L}. in the file name: cannot tell the layer; pass --layer");
        }
        void CheckInt(string field, int expected, string what)
        {
            if (ckpt.TryGetValue($"cfg.{field}", out var v) && v is long n && n != expected)
                throw new InvalidModelFileException(file, $"cfg.{field} = {n} but {what} is {expected}");
        }
        CheckInt("d_in", d, "W_enc's input dimension");
        CheckInt("d_sae", width, "W_enc's width");
        CheckInt("d_out", dOut, "W_dec's output dimension");
        if (ckpt.TryGetValue("cfg.is_transcoder", out var isT) && isT is false)
            throw new InvalidModelFileException(file, "cfg.is_transcoder is False: this is a sparse autoencoder, not a transcoder");
        if (ckpt.TryGetValue("cfg.model_name", out var model) && model is string m) builder.ModelName ??= m;
        if (ckpt.TryGetValue("cfg.hook_point", out var hp) && hp is string hookPoint)
        {
            string local = TranscoderHooks.Normalize(hookPoint, file, "cfg.hook_point", out int? cfgLayer);
            if (local != "ln2.hook_normalized" && options.InputHook is null)
                throw new InvalidModelFileException(file, $"cfg.hook_point is '{hookPoint}'; only ln2.hook_normalized transcoders are supported (or pass the input hook explicitly)");
            if (cfgLayer is int cl)
            {
                if (layer >= 0 && cl != layer) throw new InvalidModelFileException(file, $"cfg.hook_point says layer {cl} but the file name (or --layer) says layer {layer}");
                layer = cl;
            }
        }
        if (ckpt.TryGetValue("cfg.out_hook_point", out var ohp) && ohp is string outHook)
        {
            string local = TranscoderHooks.Normalize(outHook, file, "cfg.out_hook_point");
            if (local != OutputHook && options.OutputHook is null)
                throw new InvalidModelFileException(file, $"cfg.out_hook_point is '{outHook}'; only hook_mlp_out transcoders are supported (or pass the output hook explicitly)");
        }
        return layer >= 0 ? layer : throw new InvalidModelFileException(file, "cannot tell the layer (no blocks.{L}. in the file name or cfg.hook_point); pass --layer");
    }

    static int? LayerFromName(string path)
    {
        var m = BlockInName().Match(Path.GetFileName(path));
        return m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : null;
    }

    [GeneratedRegex(@"blocks\.(\d{1,6})\.")]
    private static partial Regex BlockInName();
}
