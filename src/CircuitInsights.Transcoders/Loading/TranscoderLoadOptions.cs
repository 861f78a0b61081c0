namespace CircuitInsights.Transcoders.Loading;

/// <summary>Options common to all transcoder loaders (each documents which it uses).</summary>
public sealed record TranscoderLoadOptions
{
    /// <summary>Load only these layers (null = all the set provides).</summary>
    public IReadOnlySet<int>? Layers { get; init; }

    /// <summary>Layer number for files that do not say which layer they belong to (e.g. a bare params.npz); when the
    /// path does say, the two must agree.</summary>
    public int? Layer { get; init; }

    /// <summary>Block-relative input hook, overriding what the format implies (required where the files do not say,
    /// e.g. a folder of circuit-tracer <c>layer_{i}.safetensors</c> without config.yaml). Recorded in the notes.</summary>
    public string? InputHook { get; init; }

    /// <summary>Block-relative output hook, overriding what the format implies (see <see cref="InputHook"/>).</summary>
    public string? OutputHook { get; init; }

    /// <summary>Gemma Scope folder trees: which <c>average_l0_N</c> variant to take per layer — <c>lowest</c>,
    /// <c>second-lowest</c>, <c>highest</c>, <c>N</c> (the same L0 everywhere), <c>closest:N</c>, or an explicit
    /// <c>L:N,L:N,…</c> list. Null: only allowed when each layer has exactly one variant.</summary>
    public string? L0 { get; init; }

    /// <summary>Gemma Scope folder trees: the <c>width_*</c> folder to use (e.g. <c>16k</c>) when several exist.</summary>
    public string? Width { get; init; }

    /// <summary>Hugging Face cache roots for <c>hf://</c> URIs and catalogue entries (null = the default locations).</summary>
    public IReadOnlyList<string>? HubCaches { get; init; }

    /// <summary>Recorded as <see cref="TranscoderSetInfo.CatalogName"/> (set by <see cref="Catalog.TranscoderCatalog"/>).</summary>
    public string? CatalogName { get; init; }

    /// <summary>True when a layer passes the <see cref="Layers"/> filter.</summary>
    public bool Wants(int layer) => Layers is null || Layers.Contains(layer);
}
