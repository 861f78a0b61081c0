using CircuitInsights.Formats;
using CircuitInsights.Models.Hooks;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;
using CircuitInsights.Testing.Tokenization;

namespace CircuitInsights.Models.Tests;

/// <summary>
/// Gemma-2 and Llama-3 model directories in the real HF layout — config.json, two safetensors shards with
/// model.safetensors.index.json, tokenizer.json — loaded through <see cref="ModelLoader"/> and checked against the fp64
/// references; and the one-line errors for broken directories.
/// </summary>
public sealed class ShardedCheckpointTests : IDisposable
{
    static readonly SyntheticGemma2.Config Gemma = new();
    static readonly SyntheticLlama.Config Llama = new(Llama3Scaling: SyntheticLlama.Config.DefaultScaling);
    readonly string _dir = CheckpointDirectory.CreateTemp("ci-sharded");

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    public void Load_Gemma2Directory_TokenizesAndMatchesReference(string dtype)
    {
        var dt = Enum.Parse<DType>(dtype);
        var w = SyntheticGemma2.Create(Gemma, seed: 31, bf16: dt == DType.BF16);
        CheckpointDirectory.WriteGemma2(_dir, Gemma, w, dt);
        using var model = ModelLoader.Load(_dir);
        Assert.Equal("gemma2", model.Spec.Architecture);
        Assert.Equal(dt, model.Spec.WeightDType);
        Assert.Equal(2, ((ShardedSafeTensors)model.Decoder.Weights.Owners[0]).ShardFiles.Count);
        int[] tokens = model.Encode("the cat sat on the mat");
        Assert.Equal([2, SyntheticTokenizers.GemmaId("t"), SyntheticTokenizers.GemmaId("he"), SyntheticTokenizers.GemmaId("▁cat")], tokens[..4]);
        Assert.True(tokens.Length >= 11, "the prompt must be longer than the sliding window");
        var r = model.Decoder.Forward(TokenBatch.Single(tokens), new ForwardOptions { KeepPreSoftcapLogits = true });
        var reference = ReferenceGemma2.Forward(w, Gemma, tokens, dt);
        NumericAssert.Close(reference.Logits, r.Logits, 1e-4, "logits");
        NumericAssert.Close(reference.PreSoftcapLogits, r.PreSoftcapLogits, 1e-4, "pre-softcap logits");
    }

    [Theory]
    [InlineData("F32", false)]
    [InlineData("BF16", true)]
    [InlineData("F32", true)]
    public void Load_LlamaDirectory_TokenizesAndMatchesReference(string dtype, bool tied)
    {
        var dt = Enum.Parse<DType>(dtype);
        var c = Llama with { Tied = tied };
        var w = SyntheticLlama.Create(c, seed: 32, bf16: dt == DType.BF16);
        CheckpointDirectory.WriteLlama(_dir, c, w, dt);
        using var model = ModelLoader.Load(_dir);
        Assert.Equal("llama", model.Spec.Architecture);
        Assert.Equal(dt, model.Spec.WeightDType);
        Assert.Equal(tied, model.Spec.TiedEmbeddings);
        int[] tokens = model.Encode("the cat sat on the mat");
        Assert.Equal([SyntheticTokenizers.BeginOfText, 't', SyntheticTokenizers.LlamaId("he"), SyntheticTokenizers.LlamaId("Ġcat")], tokens[..4]);
        Assert.Equal(SyntheticTokenizers.EndOfText, model.Tokenizer.EosTokenId);
        NumericAssert.Close(ReferenceLlama.Forward(w, c, tokens).Logits, model.Decoder.Forward(TokenBatch.Single(tokens)).Logits, 1e-4, "logits");
    }

    [Fact]
    public void Load_Bf16Checkpoint_KeepsWeightsAsViewsOverTheMapping()
    {
        var w = SyntheticLlama.Create(Llama, seed: 33, bf16: true);
        CheckpointDirectory.WriteLlama(_dir, Llama, w, DType.BF16);
        using var model = ModelLoader.Load(_dir);
        var weights = model.Decoder.Weights;
        var block = weights.Blocks[1];
        foreach (var m in new[] { weights.TokenEmbedding, weights.UnembedRaw, block.Attention.QRaw, block.Attention.ORaw, block.Mlp.InRaw, block.Mlp.GateRaw!.Value, block.Mlp.OutRaw })
            Assert.Equal(DType.BF16, m.DType);
        // nn.Linear [out, in] seen as [in, out] through strides, not copied: q_proj is [H·Dh, D] row-major.
        Assert.Equal((Llama.DModel, Llama.Heads * Llama.Dh, 1, Llama.DModel), (block.Attention.QRaw.Rows, block.Attention.QRaw.Cols, block.Attention.QRaw.RowStride, block.Attention.QRaw.ColStride));
        Assert.Equal(DType.BF16, block.Mlp.Out.StorageType);
        Assert.Equal(DType.BF16, weights.Unembed.StorageType);
    }

    [Fact]
    public void Load_MissingShard_NamesIndexTensorAndShard()
    {
        var names = WriteGemma();
        File.Delete(Path.Combine(_dir, names[1]));
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(_dir));
        Assert.Contains("model.safetensors.index.json", ex.Message);
        Assert.Contains(names[1], ex.Message);
        Assert.Contains("model.layers.", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Load_IndexNamesTensorAbsentFromShard_NamesIt()
    {
        WriteGemma();
        string index = Path.Combine(_dir, "model.safetensors.index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"weight_map\": {", "\"weight_map\": {\n    \"model.layers.9.mlp.up_proj.weight\": \"model-00001-of-00002.safetensors\","));
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(_dir));
        Assert.Contains("model.layers.9.mlp.up_proj.weight", ex.Message);
        Assert.Contains("does not contain it", ex.Message);
    }

    [Fact]
    public void Load_TensorMissingFromCheckpoint_NamesIt()
    {
        var w = SyntheticGemma2.Create(Gemma, seed: 34);
        w.Tensors.Remove("model.layers.1.post_feedforward_layernorm.weight");
        CheckpointDirectory.WriteGemma2(_dir, Gemma, w);
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(_dir));
        Assert.Contains("missing tensor 'model.layers.1.post_feedforward_layernorm.weight'", ex.Message);
    }

    [Fact]
    public void Load_Int64Weight_NamesShardFileTensorAndDtype()
    {
        var w = SyntheticLlama.Create(Llama, seed: 35);
        CheckpointDirectory.WriteLlama(_dir, Llama, w);
        // Rewrite the shard holding lm_head.weight with that tensor stored as I64.
        string index = File.ReadAllText(Path.Combine(_dir, "model.safetensors.index.json"));
        string shard = index.Contains("\"lm_head.weight\": \"model-00002-of-00002.safetensors\"") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
        string shardPath = Path.Combine(_dir, shard);
        var tensors = new List<TensorData>();
        using (var file = SafeTensorsFile.Open(shardPath))
            foreach (var info in file.Tensors)
                tensors.Add(info.Name == "lm_head.weight"
                    ? TensorData.FromRaw(info.Name, DType.I64, info.Shape, new byte[info.ElementCount * 8])
                    : TensorData.FromF32(info.Name, info.Shape, file.Load(info.Name).ToFloatArray()));
        SafeTensorsWriter.Write(shardPath, tensors);
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(_dir));
        Assert.Contains(shard, ex.Message);
        Assert.Contains("'lm_head.weight'", ex.Message);
        Assert.Contains("I64", ex.Message);
    }

    [Fact]
    public void Load_ConfigDisagreesWithWeights_NamesTensorAndShapes()
    {
        var w = SyntheticLlama.Create(Llama, seed: 36);
        CheckpointDirectory.WriteLlama(_dir, Llama with { DMlp = 80 }, w);
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(_dir));
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", ex.Message);
        Assert.Contains("[96, 48]", ex.Message);
        Assert.Contains("[80, 48]", ex.Message);
        Assert.Contains("model-0000", ex.Message);
    }

    string[] WriteGemma()
    {
        var w = SyntheticGemma2.Create(Gemma, seed: 37);
        Directory.CreateDirectory(_dir);
        CheckpointDirectory.WriteConfig(_dir, SyntheticGemma2.ConfigJson(Gemma, DType.F32));
        SyntheticTokenizers.WriteTo(_dir, SyntheticTokenizers.Gemma());
        return CheckpointDirectory.WriteSharded(_dir, w);
    }
}
