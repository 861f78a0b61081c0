namespace CircuitInsights.Transcoders;

/// <summary>
/// Everything that determines how a transcoder set is applied, stored with every artifact computed from it
/// (style rule: numerics-changing choices are explicit and recorded; reference.md §1.4). The positional members are the
/// core; the init-only members refine them (TopK k, thresholds, output-centring of the training target, storage dtype,
/// every file read, and free-text notes on how the files were interpreted).
/// </summary>
/// <param name="Format">Loader that read it: pchlenski-pt, gemma-scope-npz, circuit-tracer, sparsify, …</param>
/// <param name="Source">Path (or catalogue / hub id) it was loaded from.</param>
/// <param name="ModelName">Model the set was trained on, when the files say so.</param>
/// <param name="InputHook">Block-relative hook where each layer reads (e.g. <c>ln2.hook_normalized</c>).</param>
/// <param name="OutputHook">Block-relative hook it reconstructs (e.g. <c>hook_mlp_out</c>).</param>
/// <param name="Activation">Activation function name (relu, jumprelu, topk:k).</param>
/// <param name="InputCentering">Whether an input bias is subtracted before encoding (pchlenski b_dec).</param>
/// <param name="OutputBias">Whether a decoder bias is added.</param>
/// <param name="Skip">Whether a linear skip connection W_skip is present.</param>
/// <param name="CrossLayer">Cross-layer transcoder (features write to all later layers).</param>
/// <param name="Width">Features per layer.</param>
/// <param name="Layers">Layers that have a transcoder.</param>
/// <param name="Files">Main weights file per layer (the encoder file for cross-layer sets).</param>
public sealed record TranscoderSetInfo(
    string Format,
    string Source,
    string? ModelName,
    string InputHook,
    string OutputHook,
    string Activation,
    bool InputCentering,
    bool OutputBias,
    bool Skip,
    bool CrossLayer,
    int Width,
    IReadOnlyList<int> Layers,
    IReadOnlyDictionary<int, string> Files)
{
    /// <summary>k of a TopK activation (features kept per position), else null.</summary>
    public int? TopK { get; init; }

    /// <summary>True when per-feature JumpReLU thresholds were loaded (activation a = pre·1[pre &gt; θ]).</summary>
    public bool HasThresholds { get; init; }

    /// <summary>
    /// True when the set was trained to reconstruct the per-token mean-centred output (TransformerLens
    /// <c>center_writing_weights</c>: target = out − mean_d(out)), as the pchlenski GPT-2 transcoders were. The output
    /// hook still reports the raw model value, so error nodes then also carry mean_d(out)·1 (docs/transcoders.md).
    /// </summary>
    public bool OutputMeanCentered { get; init; }

    /// <summary>Storage dtype of the weights as read (F32, BF16, F16; "mixed" when layers differ).</summary>
    public string? WeightDType { get; init; }

    /// <summary>Catalogue entry the set was resolved from, if any (see Catalog/transcoder-sets.yaml).</summary>
    public string? CatalogName { get; init; }

    /// <summary>Every file read (configs and weights), in reading order.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    /// <summary>How the files were interpreted where it is not obvious (defaults applied, hooks mapped, …).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
