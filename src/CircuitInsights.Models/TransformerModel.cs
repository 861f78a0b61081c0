using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Models;

/// <summary>A loaded model: the decoder, its tokenizer and where it came from.</summary>
public sealed partial class TransformerModel : IDisposable
{
    public required DecoderModel Decoder { get; init; }
    public required ITokenizer Tokenizer { get; init; }
    public required ModelDirectory Directory { get; init; }
    /// <summary>Path of config.json.</summary>
    public required string ConfigPath { get; init; }

    public DecoderSpec Spec => Decoder.Spec;

    /// <summary>config.json's <c>_name_or_path</c>, as the loader read it (null when absent).</summary>
    public string? NameOrPath { get; init; }

    /// <summary>A short name for reports: the hub id, else <see cref="NameOrPath"/> when it is a hub id (not a local path),
    /// else the directory name.</summary>
    public string Name => Directory.RepoId ?? (NameOrPath is { } n && HubId().IsMatch(n) ? n : null)
                          ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Directory.Path));

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)?$")]
    private static partial System.Text.RegularExpressions.Regex HubId();

    /// <summary>Tokenises text. <paramref name="prependBos"/> null follows the tokenizer (GPT-2: no BOS; Gemma/Llama: BOS).</summary>
    public int[] Encode(string text, bool? prependBos = null)
    {
        var ids = Tokenizer.Encode(text, prependBos);
        if (ids.Length == 0) throw new CircuitInsightsException("the prompt tokenises to zero tokens");
        return ids;
    }

    public void Dispose()
    {
        Decoder.Dispose();
        (Tokenizer as IDisposable)?.Dispose();
    }
}
