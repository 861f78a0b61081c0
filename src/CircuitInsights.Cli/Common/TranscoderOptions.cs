using System.CommandLine;
using CircuitInsights.Models;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Catalog;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Cli.Common;

/// <summary>Options shared by commands that load a transcoder set.</summary>
public static class TranscoderOptions
{
    public static Option<string> Transcoders() => new("--transcoders", "-t")
    {
        Description = "Transcoder set: a circuit-tracer folder (config.yaml), Gemma Scope params.npz, pchlenski .pt files, or a catalogue name such as gpt2 / gemma (see 'transcoders list').",
        Required = true,
    };

    public static Option<string?> Format() => new("--transcoder-format") { Description = "Force a loader (default: detected from the files)." };

    public static TranscoderSet Load(string path, string? format, CliIO io, IReadOnlySet<int>? layers = null)
    {
        var options = new TranscoderLoadOptions { Layers = layers };
        // a catalogue name or alias (e.g. "gpt2", "gemma") resolves from the local Hugging Face cache
        bool local = File.Exists(path) || Directory.Exists(path) || path.StartsWith("hf://", StringComparison.Ordinal);
        var set = !local && format is null && TranscoderCatalog.Default.Find(path) is not null
            ? TranscoderCatalog.Default.Load(path, options)
            : TranscoderLoaders.Load(path, options, format);
        io.Note($"loaded transcoders ({set.Info.Format}, layers {string.Join(",", set.Layers)}, width {set.Width}, {set.Info.InputHook} → {set.Info.OutputHook})");
        return set;
    }

    /// <summary>Prepend BOS for attribution: null = circuit-tracer's rule (prepend BOS, or EOS when the tokenizer has no BOS,
    /// unless the prompt already starts with a special token), true = always, false = never.</summary>
    public static Option<bool?> PrependBos() => new("--prepend-bos")
    {
        Description = "Prepend BOS (true/false). Default: as circuit-tracer, prepend BOS unless the prompt starts with a special token (position 0 is then excluded from the graph's features).",
    };

    /// <summary>Tokens for attribution and interventions (see <see cref="PrependBos"/>).</summary>
    public static int[] PromptTokens(TransformerModel model, string prompt, bool? prependBos)
    {
        var ids = model.Tokenizer.Encode(prompt, false);
        if (prependBos == false)
        {
            if (ids.Length == 0) throw new CircuitInsightsException("the prompt tokenises to zero tokens");
            return ids;
        }
        bool startsSpecial = ids.Length > 0 && model.Tokenizer.IsSpecialToken(ids[0]);
        if (prependBos == null && startsSpecial) return ids;
        int bos = model.Tokenizer.BosTokenId ?? model.Tokenizer.EosTokenId
            ?? throw new CircuitInsightsException("the tokenizer has no BOS or EOS token to prepend; pass --prepend-bos false");
        return [bos, .. ids];
    }
}
