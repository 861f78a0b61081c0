using System.CommandLine;
using System.Globalization;
using CircuitInsights.Cli.Common;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Catalog;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>transcoders inspect SPEC</c>: loads a transcoder set (a file, a folder, or a catalogue name resolved in the local
/// Hugging Face cache) and prints its format, hooks, layers, width, activation, numerics flags and files;
/// <c>transcoders list</c>: the catalogue (Catalog/transcoder-sets.yaml).
/// </summary>
public static class TranscodersCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("transcoders", "Inspect transcoder sets and list the known ones.");
        cmd.Subcommands.Add(Inspect(io));
        cmd.Subcommands.Add(List(io));
        return cmd;
    }

    static Command Inspect(CliIO io)
    {
        var spec = new Argument<string>("spec") { Description = "Transcoder file or folder, or a catalogue name (see 'transcoders list')." };
        var format = new Option<string?>("--format") { Description = $"Force a format ({string.Join(", ", TranscoderLoaders.Formats)})." };
        var layer = new Option<int?>("--layer") { Description = "Layer of a single file that does not name it (e.g. a bare params.npz)." };
        var layers = new Option<string?>("--layers") { Description = "Load only these layers, e.g. 0,1,5-7." };
        var l0 = new Option<string?>("--l0") { Description = "Gemma Scope trees: lowest, second-lowest, highest, N, closest:N or layer:N,…" };
        var width = new Option<string?>("--width") { Description = "Gemma Scope trees: width folder, e.g. 16k." };
        var inputHook = new Option<string?>("--input-hook") { Description = "Block-relative input hook where the files do not say (or to override)." };
        var outputHook = new Option<string?>("--output-hook") { Description = "Block-relative output hook where the files do not say (or to override)." };
        var hubCache = new Option<string[]>("--hub-cache") { Description = "Hugging Face cache root(s) for catalogue names and hf:// URIs (default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("inspect", "Load a transcoder set and show its format, hooks, layers, width, activation, numerics flags and files.");
        cmd.Arguments.Add(spec);
        foreach (var o in new Option[] { format, layer, layers, l0, width, inputHook, outputHook, hubCache }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var caches = pr.GetValue(hubCache);
            var options = new TranscoderLoadOptions
            {
                Layer = pr.GetValue(layer),
                Layers = pr.GetValue(layers) is { } l ? ParseLayers(l) : null,
                L0 = pr.GetValue(l0),
                Width = pr.GetValue(width),
                InputHook = pr.GetValue(inputHook),
                OutputHook = pr.GetValue(outputHook),
                HubCaches = caches is { Length: > 0 } ? caches : null,
            };
            return Run(pr.GetValue(spec)!, pr.GetValue(format), options, io);
        });
        return cmd;
    }

    static Command List(CliIO io)
    {
        var cmd = new Command("list", "List the catalogue of known transcoder sets.");
        cmd.SetAction(_ =>
        {
            foreach (var e in TranscoderCatalog.Default.Entries)
            {
                io.Out.WriteLine($"{e.Name}{(e.Aliases.Count > 0 ? $" (aliases: {string.Join(", ", e.Aliases)})" : "")}");
                io.Out.WriteLine($"  model {e.Model ?? "?"}, repo {e.RepoRef}, format {e.Format}, {e.InputHook ?? "(hooks from config.yaml)"}{(e.OutputHook is null ? "" : " → " + e.OutputHook)}, {e.Activation ?? "?"}{(e.Width is int w ? $", width {w}" : "")}{(e.Skip == true ? ", skip" : "")}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static int Run(string spec, string? format, TranscoderLoadOptions options, CliIO io)
    {
        TranscoderSet set;
        if (File.Exists(spec) || Directory.Exists(spec)) set = TranscoderLoaders.Load(spec, options, format);
        else if (TranscoderCatalog.Default.Find(spec) is { } entry)
        {
            if (format is not null && format != entry.Format)
                throw new CircuitInsightsException($"--format {format} contradicts the catalogue entry '{entry.Name}' (format {entry.Format})");
            set = TranscoderCatalog.Default.Load(entry.Name, options);
        }
        else
            throw new CircuitInsightsException($"'{spec}' is neither a file or folder nor a known transcoder set (known: {string.Join(", ", TranscoderCatalog.Default.Entries.Select(e => e.Name))})");
        using (set) Print(set, io.Out);
        return ExitCodes.Ok;
    }

    static void Print(TranscoderSet set, TextWriter o)
    {
        var info = set.Info;
        var first = set.All.First();
        o.WriteLine($"source:          {info.Source}");
        if (info.CatalogName is not null) o.WriteLine($"catalogue:       {info.CatalogName}");
        o.WriteLine($"format:          {info.Format}");
        o.WriteLine($"model:           {info.ModelName ?? "(not stated in the files)"}");
        o.WriteLine($"reads:           blocks.{{L}}.{info.InputHook}  ({HookMeaning(info.InputHook)})");
        o.WriteLine($"writes:          blocks.{{L}}.{info.OutputHook}  ({HookMeaning(info.OutputHook)})");
        o.WriteLine($"layers:          {FormatLayers(info.Layers)} ({info.Layers.Count})");
        o.WriteLine($"width:           {info.Width} features per layer, d_model {first.DModel}{(first.DOut != first.DModel ? $" → {first.DOut}" : "")}");
        o.WriteLine($"activation:      {info.Activation switch { "jumprelu" => "JumpReLU (a = pre · 1[pre > θ], per-feature thresholds)", "relu" => "ReLU", _ when info.TopK is int k => $"TopK (k = {k}, ReLU on the kept values)", var a => a }}");
        o.WriteLine($"input centering: {(info.InputCentering ? "yes (b_dec subtracted from the input before encoding)" : "no")}");
        o.WriteLine($"output bias:     {(info.OutputBias ? "yes" : "no")}");
        o.WriteLine($"skip:            {(info.Skip ? "yes (linear skip W_skip added to the output)" : "no")}");
        o.WriteLine($"cross-layer:     {(info.CrossLayer ? $"yes (layer i writes to layers i..{info.Layers.Max()})" : "no")}");
        o.WriteLine($"output target:   {(info.OutputMeanCentered ? "mean-centred (trained on out − mean_d(out); error nodes also carry mean_d(out))" : "raw hook value")}");
        o.WriteLine($"weights dtype:   {info.WeightDType ?? "?"}");
        if (info.Notes.Count > 0)
        {
            o.WriteLine("notes:");
            foreach (var n in info.Notes) o.WriteLine($"  - {n}");
        }
        o.WriteLine("files:");
        foreach (var (layer, file) in info.Files.OrderBy(f => f.Key)) o.WriteLine($"  layer {layer}: {file}");
        var others = info.SourceFiles.Except(info.Files.Values).ToList();
        foreach (var f in others) o.WriteLine($"  also read: {f}");
    }

    static string HookMeaning(string hook) => hook switch
    {
        HookNames.Ln2NormalizedPreAffine => "norm of resid_mid before any gain/bias",
        HookNames.Ln2Normalized => "TransformerLens ln2.hook_normalized: LayerNorm output after γ,β; RMSNorm input normalised, before the gain",
        HookNames.MlpIn => "the MLP's input: pre-MLP norm output incl. gain",
        HookNames.ResidMid => "raw residual stream after attention",
        HookNames.MlpHookOut => "the MLP module's output",
        HookNames.MlpOut => "what the MLP block adds to the residual (after Gemma's post-feed-forward norm)",
        _ => "see docs/hooks.md",
    };

    static string FormatLayers(IReadOnlyList<int> layers)
    {
        var parts = new List<string>();
        for (int i = 0; i < layers.Count;)
        {
            int j = i;
            while (j + 1 < layers.Count && layers[j + 1] == layers[j] + 1) j++;
            parts.Add(j == i ? $"{layers[i]}" : $"{layers[i]}-{layers[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>Parses <c>0,1,5-7</c>.</summary>
    public static IReadOnlySet<int> ParseLayers(string text)
    {
        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            if (range.Length is 1 or 2 && range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                int a = int.Parse(range[0], CultureInfo.InvariantCulture), b = int.Parse(range[^1], CultureInfo.InvariantCulture);
                if (a <= b && b - a < 100_000)
                {
                    for (int l = a; l <= b; l++) set.Add(l);
                    continue;
                }
            }
            throw new CircuitInsightsException($"--layers '{text}': expected a list like 0,1,5-7");
        }
        if (set.Count == 0) throw new CircuitInsightsException($"--layers '{text}' names no layer");
        return set;
    }
}
