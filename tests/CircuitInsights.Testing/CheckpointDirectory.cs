using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>Writes synthetic checkpoints as real Hugging Face model directories (config.json, safetensors, tokenizer files).</summary>
public static class CheckpointDirectory
{
    /// <summary>A fresh temporary directory (deleted by the caller or left for inspection).</summary>
    public static string CreateTemp(string prefix = "ci-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes a GPT-2 directory with the real GPT-2 tokenizer (the config's vocab must be 50257).</summary>
    public static void WriteGpt2(string dir, SyntheticGpt2.Config c, CheckpointTensors tensors, DType dtype = DType.F32, string prefix = "")
    {
        Directory.CreateDirectory(dir);
        var config = new Dictionary<string, object>
        {
            ["activation_function"] = "gelu_new", ["architectures"] = new[] { "GPT2LMHeadModel" }, ["bos_token_id"] = 50256,
            ["eos_token_id"] = 50256, ["layer_norm_epsilon"] = c.Eps, ["model_type"] = "gpt2", ["n_ctx"] = c.Positions,
            ["n_embd"] = c.DModel, ["n_head"] = c.Heads, ["n_inner"] = c.DMlp, ["n_layer"] = c.Layers, ["n_positions"] = c.Positions,
            ["vocab_size"] = c.Vocab, ["torch_dtype"] = dtype == DType.BF16 ? "bfloat16" : "float32",
        };
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        WriteSafeTensors(Path.Combine(dir, "model.safetensors"), tensors, dtype, prefix);
        if (c.Vocab == 50257) Gpt2TokenizerFiles.WriteTo(dir);
    }

    public static void WriteSafeTensors(string path, CheckpointTensors tensors, DType dtype = DType.F32, string prefix = "")
    {
        var w = new SafeTensorsWriter();
        w.Metadata["format"] = "pt";
        foreach (var (name, (data, shape)) in tensors.Tensors) w.Add(prefix + name, data, shape, dtype);
        w.Write(path);
    }
}
