namespace CircuitInsights.Formats.Tests;

public sealed class ShardedSafeTensorsTests
{
    static string MakeSharded(TempDir dir)
    {
        new SafeTensorsWriter().Add("model.embed.weight", new float[] { 1, 2, 3, 4 }, [2, 2]).Add("model.layers.0.w", new float[] { 5 }, [1]).Write(dir.File("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().Add("model.norm.weight", new float[] { 6, 7 }, [2]).Write(dir.File("model-00002-of-00002.safetensors"));
        File.WriteAllText(dir.File("model.safetensors.index.json"), """
        {
          "metadata": {"total_size": 28},
          "weight_map": {
            "model.embed.weight": "model-00001-of-00002.safetensors",
            "model.norm.weight": "model-00002-of-00002.safetensors",
            "model.layers.0.w": "model-00001-of-00002.safetensors"
          }
        }
        """);
        return dir.File("model.safetensors.index.json");
    }

    [Fact]
    public void Open_Index_RoutesEachTensorToItsShard()
    {
        using var dir = new TempDir();
        using var s = ShardedSafeTensors.Open(MakeSharded(dir));
        Assert.Equal(["model.embed.weight", "model.norm.weight", "model.layers.0.w"], s.Tensors.Select(t => t.Name));
        Assert.Equal(2, s.ShardFiles.Count);
        Assert.Equal([6f, 7f], s.Load("model.norm.weight").F32.ToArray());
        Assert.Equal([1f, 2, 3, 4], s.Load("model.embed.weight").F32.ToArray());
        Assert.True(s.TryGetInfo("model.norm.weight", out var info));
        Assert.EndsWith("model-00002-of-00002.safetensors", info.File);
        Assert.Equal("28", s.Metadata["total_size"]);
    }

    [Fact]
    public void Open_IndexNamesTensorAbsentFromShard_NamesIndexShardAndTensor()
    {
        using var dir = new TempDir();
        string index = MakeSharded(dir);
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"model.layers.0.w\": \"model-00001", "\"model.layers.1.w\": \"model-00001"));
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), index, "'model.layers.1.w'", "model-00001-of-00002.safetensors", "does not contain it");
    }

    [Fact]
    public void Open_MissingShard_NamesIndexAndShard()
    {
        using var dir = new TempDir();
        string index = MakeSharded(dir);
        File.Delete(dir.File("model-00002-of-00002.safetensors"));
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), index, "model-00002-of-00002.safetensors", "does not exist", "'model.norm.weight'");
    }

    [Fact]
    public void Open_CorruptShard_NamesTheShard()
    {
        using var dir = new TempDir();
        string index = MakeSharded(dir);
        File.WriteAllBytes(dir.File("model-00002-of-00002.safetensors"), [1, 2, 3]);
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), "model-00002-of-00002.safetensors", "too short");
    }

    [Fact]
    public void Open_ShardPathEscapingDirectory_IsRejected()
    {
        using var dir = new TempDir();
        string index = dir.Write("model.safetensors.index.json", "{\"weight_map\": {\"w\": \"../outside.safetensors\"}}"u8.ToArray());
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), index, "'w'", "relative path inside");
    }

    [Fact]
    public void Open_IndexWithoutWeightMap_Throws()
    {
        using var dir = new TempDir();
        string index = dir.Write("model.safetensors.index.json", "{\"metadata\": {}}"u8.ToArray());
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), index, "'weight_map'");
    }

    [Fact]
    public void Open_IndexNotJson_Throws()
    {
        using var dir = new TempDir();
        string index = dir.Write("model.safetensors.index.json", "{\"weight_map\": {"u8.ToArray());
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(index), index, "not valid JSON");
    }

    [Fact]
    public void Open_MissingIndex_Throws()
    {
        using var dir = new TempDir();
        BadInput.ThrowsFile(() => ShardedSafeTensors.Open(dir.File("model.safetensors.index.json")), "model.safetensors.index.json", "not found");
    }
}
