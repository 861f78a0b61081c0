using CircuitInsights.Formats;

namespace CircuitInsights.Hub.Tests;

public sealed class HubReferenceTests
{
    [Theory]
    [InlineData("org/name", "org/name", null)]
    [InlineData("org/name@v1.0", "org/name", "v1.0")]
    [InlineData("gpt2", "gpt2", null)]
    [InlineData("org/name@refs/pr/1", "org/name", "refs/pr/1")]
    public void ParseRepoId_SplitsRevision(string text, string id, string? revision)
    {
        var r = HubReference.Parse(text);
        Assert.Equal((id, revision, "", HubRepoType.Model), (r.RepoId, r.Revision, r.PathInRepo, r.RepoType));
    }

    [Theory]
    [InlineData("hf://mntss/skip-transcoder-Llama-3.2-1B-131k-nobos/layer_3.safetensors?revision=new-training", "mntss/skip-transcoder-Llama-3.2-1B-131k-nobos", "layer_3.safetensors", "new-training", HubRepoType.Model)]
    [InlineData("hf://google/gemma-scope-2b-pt-transcoders/layer_0/width_16k/average_l0_76/params.npz", "google/gemma-scope-2b-pt-transcoders", "layer_0/width_16k/average_l0_76/params.npz", null, HubRepoType.Model)]
    [InlineData("hf://org/name@refs%2Fpr%2F2/a.bin", "org/name", "a.bin", "refs/pr/2", HubRepoType.Model)]
    [InlineData("hf://datasets/org/data/train/x.parquet", "org/data", "train/x.parquet", null, HubRepoType.Dataset)]
    [InlineData("hf://org/name", "org/name", "", null, HubRepoType.Model)]
    [InlineData("hf://org/name/sub/", "org/name", "sub/", null, HubRepoType.Model)]
    public void ParseUri_CircuitTracerAndHfFileSystemForms(string uri, string id, string path, string? revision, HubRepoType type)
    {
        var r = HubReference.Parse(uri);
        Assert.Equal((id, path, revision, type), (r.RepoId, r.PathInRepo, r.Revision, r.RepoType));
        Assert.Equal(path.Length > 0 && !path.EndsWith('/'), r.IsFile);
        Assert.Equal(r, HubReference.Parse(r.ToString()));
    }

    [Theory]
    [InlineData("hf://org")]
    [InlineData("hf://org/name/../x")]
    [InlineData("hf://org/name@a/x?revision=b")]
    [InlineData("org/name@")]
    [InlineData("org/a/b")]
    [InlineData("org--x/name")]
    [InlineData("hf://org/name/x?revision=..%2F..%2Fetc")]
    public void Parse_Malformed_OneLineError(string text)
    {
        var e = Assert.ThrowsAny<CircuitInsightsException>(() => HubReference.Parse(text));
        Assert.DoesNotContain('\n', e.Message);
    }
}
