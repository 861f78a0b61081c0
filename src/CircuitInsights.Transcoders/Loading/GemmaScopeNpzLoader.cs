using System.Globalization;
using System.Text.RegularExpressions;
using CircuitInsights.Formats;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Gemma Scope transcoders (<c>google/gemma-scope-2b-pt-transcoders</c>, reference.md §0.4 and §1.4b):
/// <c>layer_{L}/width_16k/average_l0_{N}/params.npz</c> holding
/// <code>
/// W_enc [D, K]   b_enc [K]   threshold [K]
/// W_dec [K, D]   b_dec [D]   (output bias only: NOT subtracted from the input)
/// pre = x·W_enc + b_enc;  a = pre·1[pre &gt; θ] (JumpReLU, strict &gt;);  out = a·W_dec + b_dec
/// </code>
/// reading <c>ln2.hook_normalized</c> (resid_mid·rsqrt(mean(resid_mid²)+ε), no RMSNorm gain) and writing
/// <c>hook_mlp_out</c> (after the post-feed-forward norm), per the model card. Accepts one file (layer from a
/// <c>layer_{L}</c> folder in its path or <see cref="TranscoderLoadOptions.Layer"/>) or a folder tree, choosing one
/// <c>average_l0_N</c> variant per layer with <see cref="TranscoderLoadOptions.L0"/> (see <see cref="GemmaScopeL0Selection"/>).
/// </summary>
public sealed partial class GemmaScopeNpzLoader : ILayerFilesLoader
{
    public const string InputHook = "ln2.hook_normalized";
    public const string OutputHook = "hook_mlp_out";
    const int MaxTreeDepth = 4;

    public string Format => "gemma-scope-npz";

    public bool CanLoad(string path)
    {
        if (File.Exists(path)) return path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);
        if (!Directory.Exists(path)) return false;
        if (File.Exists(Path.Combine(path, "params.npz"))) return true;
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
        if (LayerFolder().IsMatch(name) || name.StartsWith("width_", StringComparison.Ordinal) || name.StartsWith("average_l0_", StringComparison.Ordinal))
            return true;
        return Directory.EnumerateDirectories(path, "layer_*").Any(d => LayerFolder().IsMatch(Path.GetFileName(d)));
    }

    public TranscoderSet Load(string path, TranscoderLoadOptions options)
    {
        if (File.Exists(path))
        {
            int? fromPath = LayerFromPath(path);
            if (fromPath is int a && options.Layer is int b && a != b)
                throw new InvalidModelFileException(path, $"the path says layer {a} but layer {b} was requested");
            int layer = fromPath ?? options.Layer
                ?? throw new InvalidModelFileException(path, "cannot tell which layer this params.npz belongs to (no layer_{L} folder in its path); pass the layer (--layer)");
            return LoadLayerFiles(new Dictionary<int, string> { [layer] = path }, options, path);
        }
        return LoadLayerFiles(ChooseFromTree(path, options), options, path);
    }

    public TranscoderSet LoadLayerFiles(IReadOnlyDictionary<int, string> files, TranscoderLoadOptions options, string source)
    {
        using var builder = new TranscoderSetBuilder(Format, source, options) { InputHook = InputHook, OutputHook = OutputHook };
        foreach (var (layer, file) in files.OrderBy(f => f.Key))
            if (options.Wants(layer)) ReadLayer(file, layer, builder);
        return builder.Build();
    }

    /// <summary>Reads one params.npz as layer <paramref name="layer"/> into <paramref name="builder"/>.</summary>
    internal static void ReadLayer(string file, int layer, TranscoderSetBuilder builder)
    {
        if (!File.Exists(file)) throw new InvalidModelFileException(file, "no such file");
        var source = NpzArchive.Open(file);
        try
        {
            var t = new TranscoderTensors(source);
            var enc = t.Matrix("W_enc"); // [D, K]
            int d = enc.Rows, width = enc.Cols;
            var decInfo = t.Info("W_dec");
            if (decInfo.Shape.Length != 2 || decInfo.Shape[0] != width)
                throw new InvalidModelFileException(file, $"tensor 'W_dec' has shape {decInfo.ShapeText}, expected [{width}, d_model] to match W_enc [{d}, {width}]");
            var dec = t.Matrix("W_dec"); // [K, D]
            var bEnc = t.Vector("b_enc", width);
            var bDec = t.Vector("b_dec", dec.Cols);
            var threshold = t.Vector("threshold", width);
            var transcoder = OwningTranscoder.Create(file, source, layer, enc, bEnc, [dec], bDec, TranscoderActivation.JumpRelu, threshold);
            builder.Add(transcoder, file, t.DTypes);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The layer named by the innermost <c>layer_{L}</c> folder of a path, or null.</summary>
    public static int? LayerFromPath(string path)
    {
        var parts = Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            var m = LayerFolder().Match(parts[i]);
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int l)) return l;
        }
        return null;
    }

    sealed record Variant(int Layer, string? Width, int? L0, string File);

    static Dictionary<int, string> ChooseFromTree(string root, TranscoderLoadOptions options)
    {
        var variants = new List<Variant>();
        Collect(root, 0, variants);
        if (variants.Count == 0) throw new InvalidModelFileException(root, "no params.npz found (expected layer_{L}/width_*/average_l0_{N}/params.npz)");
        var selection = options.L0 is null ? null : GemmaScopeL0Selection.Parse(options.L0);
        string? width = options.Width?.Trim();
        if (width is not null && width.StartsWith("width_", StringComparison.Ordinal)) width = width[6..];
        var result = new Dictionary<int, string>();
        foreach (var group in variants.GroupBy(v => v.Layer).OrderBy(g => g.Key))
        {
            int layer = group.Key;
            if (!options.Wants(layer) || selection?.Covers(layer) == false) continue;
            var candidates = group.ToList();
            if (width is not null) candidates = candidates.Where(v => v.Width == width).ToList();
            var widths = candidates.Select(v => v.Width ?? "?").Distinct().ToList();
            if (candidates.Count == 0)
                throw new InvalidModelFileException(root, $"layer {layer} has no width_{width} folder (has: {string.Join(", ", group.Select(v => v.Width ?? "?").Distinct())})");
            if (widths.Count > 1)
                throw new InvalidModelFileException(root, $"layer {layer} has several widths ({string.Join(", ", widths)}); choose one (--width)");
            var l0s = candidates.Where(v => v.L0 is not null).Select(v => v.L0!.Value).Order().ToList();
            Variant chosen;
            if (selection is not null)
            {
                if (l0s.Count != candidates.Count)
                    throw new InvalidModelFileException(root, $"layer {layer} has params.npz files outside average_l0_N folders, so an L0 selection cannot apply; load one file explicitly");
                int l0 = selection.Choose(layer, l0s)
                    ?? throw new InvalidModelFileException(root, $"layer {layer}: L0 selection '{selection}' matches none of the variants present ({string.Join(", ", l0s)})");
                chosen = candidates.First(v => v.L0 == l0);
            }
            else if (candidates.Count == 1) chosen = candidates[0];
            else if (l0s.Count != candidates.Count)
                throw new InvalidModelFileException(root, $"layer {layer} has {candidates.Count} params.npz files, not all under average_l0_N folders; load one file explicitly");
            else
                throw new InvalidModelFileException(root, $"layer {layer} has {l0s.Count} L0 variants ({string.Join(", ", l0s)}); choose with --l0 (lowest, second-lowest, highest, N, closest:N or layer:N,…)");
            result[layer] = chosen.File;
        }
        if (result.Count == 0)
            throw new InvalidModelFileException(root, $"no layer left after selection (tree has layers {string.Join(", ", variants.Select(v => v.Layer).Distinct().Order())})");
        return result;
    }

    static void Collect(string dir, int depth, List<Variant> into)
    {
        string file = Path.Combine(dir, "params.npz");
        if (File.Exists(file))
        {
            int layer = LayerFromPath(file) ?? throw new InvalidModelFileException(file, "cannot tell which layer this params.npz belongs to (no layer_{L} folder in its path); load it as a file with --layer");
            string? width = null; int? l0 = null;
            foreach (var part in Path.GetFullPath(dir).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
            {
                if (part.StartsWith("width_", StringComparison.Ordinal)) width = part[6..];
                var m = L0Folder().Match(part);
                if (m.Success) l0 = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            into.Add(new Variant(layer, width, l0, file));
        }
        if (depth >= MaxTreeDepth) return;
        foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(sub);
            if (LayerFolder().IsMatch(name) || name.StartsWith("width_", StringComparison.Ordinal) || L0Folder().IsMatch(name))
                Collect(sub, depth + 1, into);
        }
    }

    [GeneratedRegex(@"^layer_(\d{1,6})$")]
    private static partial Regex LayerFolder();

    [GeneratedRegex(@"^average_l0_(\d{1,9})$")]
    private static partial Regex L0Folder();
}
