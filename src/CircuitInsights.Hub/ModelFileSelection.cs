namespace CircuitInsights.Hub;

/// <summary>
/// Which files of a model repo a model load needs, so that resolving <c>org/name</c> does not fetch every format a
/// repo carries (gpt2 also holds TF, Flax, Rust, ONNX and TFLite weights). Only top-level files are taken: JSON files
/// (config, tokenizer, generation config, shard indexes), tokenizer data (<c>*.txt</c> such as merges.txt,
/// <c>*.model</c>, <c>*.tiktoken</c>) and the weights: every <c>*.safetensors</c> when there is one, else
/// <c>pytorch_model*.bin</c>, else top-level <c>*.pt</c>/<c>*.pth</c>.
/// </summary>
public static class ModelFileSelection
{
    public static IReadOnlyList<string> Select(IEnumerable<string> repoFiles)
    {
        var top = repoFiles.Where(f => !f.Contains('/')).ToList();
        var selected = top.Where(f => HasExtension(f, ".json", ".txt", ".model", ".tiktoken")).ToList();
        var weights = top.Where(f => HasExtension(f, ".safetensors")).ToList();
        if (weights.Count == 0) weights = top.Where(f => f.StartsWith("pytorch_model", StringComparison.Ordinal) && HasExtension(f, ".bin")).ToList();
        if (weights.Count == 0) weights = top.Where(f => HasExtension(f, ".pt", ".pth")).ToList();
        selected.AddRange(weights);
        return selected;
    }

    /// <summary>True when <paramref name="files"/> (a selection) contains weights.</summary>
    public static bool HasWeights(IEnumerable<string> files) =>
        files.Any(f => HasExtension(f, ".safetensors", ".bin", ".pt", ".pth"));

    static bool HasExtension(string file, params string[] extensions) =>
        extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
