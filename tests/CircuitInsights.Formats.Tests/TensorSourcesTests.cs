using CircuitInsights.Testing;

namespace CircuitInsights.Formats.Tests;

public sealed class TensorSourcesTests
{
    [Theory]
    [InlineData("gemma_scope_params.npz", typeof(NpzArchive))]
    [InlineData("fortran_2x3.npy", typeof(NpyFile))]
    [InlineData("pchlenski_style.pt", typeof(TorchCheckpoint))]
    [InlineData("unaligned.safetensors", typeof(SafeTensorsFile))]
    public void Open_ByExtension_PicksTheReader(string file, Type expected)
    {
        using var s = TensorSources.Open(Fixtures.Path(file));
        Assert.IsType(expected, s);
        Assert.NotEmpty(s.Tensors);
    }

    [Theory]
    [InlineData("gemma_scope_params.npz", typeof(NpzArchive))]
    [InlineData("fortran_2x3.npy", typeof(NpyFile))]
    [InlineData("pchlenski_style.pt", typeof(TorchCheckpoint))]
    [InlineData("unaligned.safetensors", typeof(SafeTensorsFile))]
    public void Open_UnknownExtension_SniffsTheContent(string file, Type expected)
    {
        using var dir = new TempDir();
        string path = dir.Write("weights.data", File.ReadAllBytes(Fixtures.Path(file)));
        using var s = TensorSources.Open(path);
        Assert.IsType(expected, s);
    }

    [Fact]
    public void Open_Directory_PrefersIndexThenSingleFile()
    {
        using var dir = new TempDir();
        new SafeTensorsWriter().Add("w", new float[] { 1 }, [1]).Write(dir.File("model.safetensors"));
        using (var s = TensorSources.Open(dir.Path)) Assert.IsType<SafeTensorsFile>(s);
        new SafeTensorsWriter().Add("v", new float[] { 2 }, [1]).Write(dir.File("model-00001-of-00001.safetensors"));
        File.WriteAllText(dir.File("model.safetensors.index.json"), "{\"weight_map\": {\"v\": \"model-00001-of-00001.safetensors\"}}");
        using (var s = TensorSources.Open(dir.Path))
        {
            Assert.IsType<ShardedSafeTensors>(s);
            Assert.Equal([2f], s.Load("v").F32.ToArray());
        }
    }

    [Fact]
    public void Open_DirectoryWithPytorchModelBin_UsesTorchReader()
    {
        using var dir = new TempDir();
        var w = new TorchCheckpointWriter();
        w.Write(dir.File("pytorch_model.bin"), new PyOrderedDict([new("wte.weight", w.Tensor(new float[] { 1, 2 }, [2]))]));
        using var s = TensorSources.Open(dir.Path);
        Assert.Equal([1f, 2], s.Load("wte.weight").F32.ToArray());
    }

    [Fact]
    public void Open_DirectoryWithoutWeights_ListsWhatWasSearched()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), "{}");
        BadInput.ThrowsFile(() => TensorSources.Open(dir.Path), dir.Path, "no weights", "model.safetensors.index.json", "pytorch_model.bin");
    }

    [Fact]
    public void Open_DirectoryWithSeveralUnindexedSafetensors_AsksForOne()
    {
        using var dir = new TempDir();
        new SafeTensorsWriter().Add("a", new float[] { 1 }, [1]).Write(dir.File("layer_0.safetensors"));
        new SafeTensorsWriter().Add("a", new float[] { 1 }, [1]).Write(dir.File("layer_1.safetensors"));
        BadInput.ThrowsFile(() => TensorSources.Open(dir.Path), dir.Path, "2 .safetensors files");
    }

    [Fact]
    public void Open_MissingPath_Throws()
    {
        using var dir = new TempDir();
        BadInput.ThrowsFile(() => TensorSources.Open(dir.File("nope.safetensors")), "nope.safetensors", "no such file or directory");
    }

    [Fact]
    public void Open_UnrecognisedContent_Throws()
    {
        using var dir = new TempDir();
        string path = dir.Write("x.dat", "hello world, not weights"u8.ToArray());
        BadInput.ThrowsFile(() => TensorSources.Open(path), path, "unrecognised file type");
    }

    [Fact]
    public void Open_EmptyNpz_Throws()
    {
        using var dir = new TempDir();
        string path = dir.Write("e.npz", []);
        BadInput.ThrowsFile(() => TensorSources.Open(path), path, "empty file");
    }
}
