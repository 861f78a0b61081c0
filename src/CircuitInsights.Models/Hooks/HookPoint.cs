namespace CircuitInsights.Models.Hooks;

/// <summary>
/// A named activation site, spelled as TransformerLens spells it (<c>blocks.3.hook_resid_mid</c>, <c>hook_embed</c>) so
/// transcoder configs and exported files stay compatible. <see cref="Layer"/> is −1 for model-level hooks.
/// The full list and the exact meaning of each hook (incl. whether LayerNorm affine / RMSNorm gain is applied) is in
/// docs/hooks.md and <see cref="HookNames"/>.
/// </summary>
public sealed record HookPoint
{
    /// <summary>Block index, or −1 for hooks outside the blocks.</summary>
    public int Layer { get; }
    /// <summary>Name inside the block (<c>hook_resid_mid</c>, <c>ln2.hook_normalized</c>) or the model-level name.</summary>
    public string LocalName { get; }
    /// <summary>The TransformerLens-style full name.</summary>
    public string Name { get; }

    HookPoint(int layer, string localName)
    {
        Layer = layer;
        LocalName = localName;
        Name = layer < 0 ? localName : $"blocks.{layer}.{localName}";
    }

    public static HookPoint Model(string name) => new(-1, name);

    public static HookPoint Block(int layer, string localName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        return new(layer, localName);
    }

    public static HookPoint Embed => Model(HookNames.Embed);
    public static HookPoint PosEmbed => Model(HookNames.PosEmbed);
    public static HookPoint ResidPre(int layer) => Block(layer, HookNames.ResidPre);
    public static HookPoint ResidMid(int layer) => Block(layer, HookNames.ResidMid);
    public static HookPoint ResidPost(int layer) => Block(layer, HookNames.ResidPost);
    public static HookPoint AttnOut(int layer) => Block(layer, HookNames.AttnOut);
    public static HookPoint Pattern(int layer) => Block(layer, HookNames.Pattern);
    public static HookPoint Ln2Normalized(int layer) => Block(layer, HookNames.Ln2Normalized);
    public static HookPoint MlpIn(int layer) => Block(layer, HookNames.MlpIn);
    public static HookPoint MlpOut(int layer) => Block(layer, HookNames.MlpOut);

    /// <summary>
    /// Parses a full hook name (<c>blocks.8.ln2.hook_normalized</c>, <c>hook_embed</c>). Block-relative names without the
    /// <c>blocks.N.</c> prefix are accepted when <paramref name="layer"/> is given. Unknown names are rejected with the list
    /// of known ones.
    /// </summary>
    public static HookPoint Parse(string name, int? layer = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        string text = name.Trim();
        if (text.StartsWith("blocks.", StringComparison.Ordinal))
        {
            int dot = text.IndexOf('.', 7);
            if (dot < 0 || !int.TryParse(text.AsSpan(7, dot - 7), System.Globalization.NumberStyles.None, null, out int l))
                throw new CircuitInsightsException($"hook '{name}': expected 'blocks.<layer>.<name>'");
            string local = text[(dot + 1)..];
            CheckKnown(name, local, HookNames.BlockHooks);
            return Block(l, local);
        }
        if (HookNames.ModelHooks.Contains(text)) return Model(text);
        if (layer is int lay && HookNames.BlockHooks.Contains(text)) return Block(lay, text);
        if (HookNames.BlockHooks.Contains(text))
            throw new CircuitInsightsException($"hook '{name}' is a block hook: write it as 'blocks.<layer>.{text}'");
        throw new CircuitInsightsException($"unknown hook '{name}'; known: {string.Join(", ", HookNames.ModelHooks)}, blocks.<layer>.{{{string.Join(", ", HookNames.BlockHooks)}}}");
    }

    static void CheckKnown(string full, string local, IReadOnlySet<string> known)
    {
        if (!known.Contains(local))
            throw new CircuitInsightsException($"unknown hook '{full}'; block hooks are: {string.Join(", ", HookNames.BlockHooks)}");
    }

    public override string ToString() => Name;
}
