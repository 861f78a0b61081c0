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

    /// <summary>Writes a Gemma-2 directory: config.json, two safetensors shards + model.safetensors.index.json, and the
    /// synthetic Gemma-style tokenizer.json (vocabulary 286: the config's vocab must match).</summary>
    public static void WriteGemma2(string dir, SyntheticGemma2.Config c, CheckpointTensors tensors, DType dtype = DType.F32, int shards = 2)
    {
        Directory.CreateDirectory(dir);
        WriteConfig(dir, SyntheticGemma2.ConfigJson(c, dtype));
        WriteSharded(dir, tensors, dtype, shards);
        Tokenization.SyntheticTokenizers.WriteTo(dir, Tokenization.SyntheticTokenizers.Gemma());
    }

    /// <summary>Writes a Llama-3 directory: config.json, sharded safetensors + index, and the synthetic Llama-3-style
    /// tokenizer.json (vocabulary 275) with a tokenizer_config.json naming BOS/EOS.</summary>
    public static void WriteLlama(string dir, SyntheticLlama.Config c, CheckpointTensors tensors, DType dtype = DType.F32, int shards = 2)
    {
        Directory.CreateDirectory(dir);
        WriteConfig(dir, SyntheticLlama.ConfigJson(c, dtype));
        WriteSharded(dir, tensors, dtype, shards);
        Tokenization.SyntheticTokenizers.WriteTo(dir, Tokenization.SyntheticTokenizers.Llama3());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
            """{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "model_max_length": 131072}""");
    }

    public static void WriteConfig(string dir, IReadOnlyDictionary<string, object?> config) =>
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>
    /// Writes the tensors as HF sharded safetensors: <c>model-0000k-of-0000n.safetensors</c> (tensors split in order into
    /// <paramref name="shards"/> groups of similar byte size) and <c>model.safetensors.index.json</c>
    /// (<c>{"metadata": {"total_size": …}, "weight_map": {tensor: shard}}</c>). Returns the shard file names.
    /// </summary>
    public static string[] WriteSharded(string dir, CheckpointTensors tensors, DType dtype = DType.F32, int shards = 2)
    {
        var all = tensors.Tensors.ToList();
        long total = all.Sum(t => (long)t.Value.Data.Length * DTypes.ByteSize(dtype));
        var names = Enumerable.Range(1, shards).Select(k => $"model-{k:D5}-of-{shards:D5}.safetensors").ToArray();
        var writers = names.Select(_ => new SafeTensorsWriter()).ToArray();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long written = 0;
        foreach (var (name, (data, shape)) in all)
        {
            int shard = (int)Math.Min(shards - 1, written * shards / Math.Max(1, total));
            writers[shard].Add(name, data, shape, dtype);
            weightMap[name] = names[shard];
            written += (long)data.Length * DTypes.ByteSize(dtype);
        }
        for (int k = 0; k < shards; k++)
        {
            writers[k].Metadata["format"] = "pt";
            writers[k].Write(Path.Combine(dir, names[k]));
        }
        var index = new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
        return names;
    }

    public static void WriteSafeTensors(string path, CheckpointTensors tensors, DType dtype = DType.F32, string prefix = "")
    {
        var w = new SafeTensorsWriter();
        w.Metadata["format"] = "pt";
        foreach (var (name, (data, shape)) in tensors.Tensors) w.Add(prefix + name, data, shape, dtype);
        w.Write(path);
    }
}
