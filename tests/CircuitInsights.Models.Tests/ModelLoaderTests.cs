using CircuitInsights.Formats;
using CircuitInsights.Tensors;
using CircuitInsights.Testing;

namespace CircuitInsights.Models.Tests;

public class ModelLoaderTests
{
    static readonly SyntheticGpt2.Config Config = new(Layers: 2, DModel: 32, Heads: 4, DMlp: 64, Vocab: 50257, Positions: 64);

    [Theory]
    [InlineData("F32", "")]
    [InlineData("BF16", "transformer.")]
    public void Load_Gpt2Directory_MatchesReference(string dtype, string prefix)
    {
        var dt = Enum.Parse<DType>(dtype);
        var w = SyntheticGpt2.Create(Config, seed: 21, bf16: dt == DType.BF16);
        string dir = CheckpointDirectory.CreateTemp();
        try
        {
            CheckpointDirectory.WriteGpt2(dir, Config, w, dt, prefix);
            using var model = ModelLoader.Load(dir);
            Assert.Equal("gpt2", model.Spec.Architecture);
            Assert.Equal(dt, model.Spec.WeightDType);
            int[] tokens = model.Encode("The cat sat on the mat.");
            Assert.Equal([464, 3797, 3332, 319, 262, 2603, 13], tokens);
            var result = model.Decoder.Forward(TokenBatch.Single(tokens));
            NumericAssert.Close(ReferenceGpt2.Forward(w, Config, tokens).Logits, result.Logits, 1e-4, "logits");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Load_ConfigShapeDisagreesWithWeights_NamesTensor()
    {
        var w = SyntheticGpt2.Create(Config, seed: 22);
        string dir = CheckpointDirectory.CreateTemp();
        try
        {
            CheckpointDirectory.WriteGpt2(dir, Config with { DMlp = 96 }, w);
            var ex = Assert.Throws<InvalidModelFileException>(() => ModelLoader.Load(dir));
            Assert.Contains("mlp.c_fc.weight", ex.Message);
            Assert.Contains("[32, 64]", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Load_UnknownModelType_ListsSupported()
    {
        string dir = CheckpointDirectory.CreateTemp();
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"model_type\": \"mamba\"}");
            var ex = Assert.Throws<CircuitInsightsException>(() => ModelLoader.Load(dir));
            Assert.Contains("mamba", ex.Message);
            Assert.Contains("gpt2", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Load_MissingDirectory_IsClearError()
    {
        var ex = Assert.ThrowsAny<CircuitInsightsException>(() => ModelLoader.Load("/nonexistent/model/dir"));
        Assert.Contains("/nonexistent/model/dir", ex.Message);
    }
}
