using System.CommandLine;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Cli.Common;

/// <summary>Options shared by commands that load a transcoder set.</summary>
public static class TranscoderOptions
{
    public static Option<string> Transcoders() => new("--transcoders", "-t")
    {
        Description = "Transcoder set: a circuit-tracer folder (config.yaml), Gemma Scope params.npz, pchlenski .pt files, … (see 'transcoders inspect').",
        Required = true,
    };

    public static Option<string?> Format() => new("--transcoder-format") { Description = "Force a loader (default: detected from the files)." };

    public static TranscoderSet Load(string path, string? format, CliIO io, IReadOnlySet<int>? layers = null)
    {
        var set = TranscoderLoaders.Load(path, new TranscoderLoadOptions { Layers = layers }, format);
        io.Note($"loaded transcoders ({set.Info.Format}, layers {string.Join(",", set.Layers)}, width {set.Width}, {set.Info.InputHook} → {set.Info.OutputHook})");
        return set;
    }
}
