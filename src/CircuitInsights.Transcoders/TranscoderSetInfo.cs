namespace CircuitInsights.Transcoders;

/// <summary>
/// Everything that determines how a transcoder set is applied, stored with every artifact computed from it
/// (style rule: numerics-changing choices are explicit and recorded).
/// </summary>
/// <param name="Format">Loader that read it: pchlenski-pt, gemma-scope-npz, circuit-tracer, sparsify, clt, …</param>
/// <param name="Source">Path (or hub id) it was loaded from.</param>
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
/// <param name="Files">File per layer.</param>
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
    IReadOnlyDictionary<int, string> Files);
