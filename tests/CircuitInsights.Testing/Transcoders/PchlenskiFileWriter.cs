namespace CircuitInsights.Testing;

/// <summary>
/// Writes a transcoder exactly as transcoder_circuits' <c>SparseAutoencoder.save_model</c> → <c>torch.save</c> does:
/// a torch zip whose data.pkl is <c>{"cfg": LanguageModelSAERunnerConfig (NEWOBJ + BUILD), "state_dict":
/// OrderedDict(W_enc [D, K], b_enc [K], W_dec [K, D], b_dec [D], b_dec_out [D]) with its _metadata}</c>
/// (reference.md §1.4a). The cfg is a custom class the reader must keep inert.
/// </summary>
public static class PchlenskiFileWriter
{
    public static string FileName(int layer, int width) => $"final_sparse_autoencoder_gpt2-small_blocks.{layer}.ln2.hook_normalized_{width}.pt";

    /// <summary>The cfg attributes a real file carries (subset, same types).</summary>
    public static Dictionary<string, object?> ConfigFields(int layer, int dModel, int width) => new()
    {
        ["model_name"] = "gpt2-small",
        ["hook_point"] = $"blocks.{layer}.ln2.hook_normalized",
        ["hook_point_layer"] = layer,
        ["hook_point_head_index"] = null,
        ["dataset_path"] = "Skylion007/openwebtext",
        ["is_dataset_tokenized"] = false,
        ["context_size"] = 128,
        ["d_in"] = dModel,
        ["device"] = new PyReduce(new PyGlobal("torch", "device"), new PyTuple("cuda")),
        ["seed"] = 42,
        ["dtype"] = new PyGlobal("torch", "float32"),
        ["is_transcoder"] = true,
        ["out_hook_point"] = $"blocks.{layer}.hook_mlp_out",
        ["out_hook_point_layer"] = layer,
        ["d_out"] = null,
        ["b_dec_init_method"] = "mean",
        ["expansion_factor"] = width / Math.Max(1, dModel),
        ["l1_coefficient"] = 1.4e-4,
        ["lr"] = 4e-4,
        ["train_batch_size"] = 4096,
        ["use_ghost_grads"] = new PyTuple(true),
        ["d_sae"] = width,
        ["run_name"] = $"{width}-L1-0.00014-LR-0.0004-Tokens-6.000e+07",
    };

    /// <param name="cfg">The cfg object to pickle (default: a LanguageModelSAERunnerConfig with <see cref="ConfigFields"/>).</param>
    /// <param name="stateDictOverride">Replaces the state_dict entries (for malformed files).</param>
    public static void Write(string path, TranscoderLayerWeights w, object? cfg = null, IReadOnlyList<KeyValuePair<string, object?>>? stateDictOverride = null,
        Func<TorchCheckpointWriter, List<KeyValuePair<string, object?>>, List<KeyValuePair<string, object?>>>? editStateDict = null)
    {
        if (w.InputCentering is null || w.DecoderBias is null) throw new ArgumentException("pchlenski transcoders have b_dec (input centering) and b_dec_out");
        var writer = new TorchCheckpointWriter(Path.GetFileNameWithoutExtension(path));
        int d = w.DModel, k = w.Width;
        var items = new List<KeyValuePair<string, object?>>
        {
            new("W_enc", writer.Tensor(w.Encoder, [d, k])),
            new("b_enc", writer.Tensor(w.EncoderBias, [k])),
            new("W_dec", writer.Tensor(w.Decoders[0], [k, d])),
            new("b_dec", writer.Tensor(w.InputCentering, [d])),
            new("b_dec_out", writer.Tensor(w.DecoderBias, [d])),
        };
        if (editStateDict is not null) items = editStateDict(writer, items);
        var metadata = new Dictionary<string, object?> { ["_metadata"] = new PyOrderedDict([new("", new Dictionary<string, object?> { ["version"] = 1 })]) };
        var root = new Dictionary<string, object?>
        {
            ["cfg"] = cfg ?? new PyNewObj(new PyGlobal("sae_training.config", "LanguageModelSAERunnerConfig"), new PyTuple(), ConfigFields(w.Layer, d, k)),
            ["state_dict"] = new PyOrderedDict(stateDictOverride ?? items, metadata),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        writer.Write(path, root);
    }
}
