using System.Text.RegularExpressions;
using CircuitInsights.Formats;
using CircuitInsights.Models.Hooks;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Hook names as transcoder files spell them, normalised to the block-relative names of <see cref="HookNames"/>.
/// circuit-tracer configs write either the relative name (<c>ln2.hook_normalized</c>) or a template
/// (<c>blocks.{layer}.ln2.hook_normalized</c>, <c>blocks.{{layer}}.…</c>); training configs write a concrete one
/// (<c>blocks.8.ln2.hook_normalized</c>). nnsight module paths (<c>layers.{layer}.mlp</c>) name HF modules, not hooks,
/// and are rejected with a hint.
/// </summary>
public static partial class TranscoderHooks
{
    /// <summary>Returns the block-relative hook name; <paramref name="layer"/> receives the layer of a concrete
    /// <c>blocks.N.</c> prefix (null for relative names and templates).</summary>
    public static string Normalize(string hook, string file, string key, out int? layer)
    {
        layer = null;
        string text = hook.Trim();
        var m = BlockPrefix().Match(text);
        if (m.Success)
        {
            if (m.Groups["n"].Success) layer = int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            text = text[m.Length..];
        }
        if (HookNames.BlockHooks.Contains(text)) return text;
        if (text.StartsWith("layers.", StringComparison.Ordinal) || text.StartsWith("model.", StringComparison.Ordinal))
            throw new InvalidModelFileException(file, $"{key} '{Short(hook)}' is an nnsight module path; give the TransformerLens hook instead (e.g. ln2.hook_normalized, mlp.hook_in, hook_resid_mid, hook_mlp_out, mlp.hook_out)");
        throw new InvalidModelFileException(file, $"{key} '{Short(hook)}' is not a known block hook (known: {string.Join(", ", HookNames.BlockHooks)})");
    }

    /// <summary><see cref="Normalize(string, string, string, out int?)"/> ignoring a concrete layer.</summary>
    public static string Normalize(string hook, string file, string key) => Normalize(hook, file, key, out _);

    /// <summary>Checks a user-supplied hook override (error without a file).</summary>
    public static string NormalizeOption(string hook, string what)
    {
        try
        {
            return Normalize(hook, what, "hook");
        }
        catch (InvalidModelFileException)
        {
            throw new CircuitInsightsException($"{what} '{Short(hook)}' is not a known block hook (known: {string.Join(", ", HookNames.BlockHooks)})");
        }
    }

    static string Short(string s) => s.Length <= 80 ? s : s[..80] + "…";

    [GeneratedRegex(@"^blocks\.(?:(?<n>\d{1,6})|\{layer\}|\{\{layer\}\})\.")]
    private static partial Regex BlockPrefix();
}
