namespace CircuitInsights.Hub.Tests;

public sealed class HubEnvironmentTests
{
    [Fact]
    public void Token_EnvFirstThenLegacyThenTokenFile()
    {
        using var home = new TempDir();
        File.WriteAllText(home.Sub("token"), "  hf_from_file\n");
        var env = new Dictionary<string, string?> { ["HF_HOME"] = home.Path };
        Assert.Equal("hf_from_file", HubToken.Resolve(k => env.GetValueOrDefault(k)));
        env["HUGGING_FACE_HUB_TOKEN"] = "hf_legacy";
        Assert.Equal("hf_legacy", HubToken.Resolve(k => env.GetValueOrDefault(k)));
        env["HF_TOKEN"] = "hf_env";
        Assert.Equal("hf_env", HubToken.Resolve(k => env.GetValueOrDefault(k)));
        env["HF_TOKEN"] = "  ";
        env.Remove("HUGGING_FACE_HUB_TOKEN");
        env["HF_TOKEN_PATH"] = home.Sub("missing");
        Assert.Null(HubToken.Resolve(k => env.GetValueOrDefault(k)));
    }

    [Fact]
    public void Options_FromEnvironment_ReadsHuggingfaceHubVariables()
    {
        var env = new Dictionary<string, string?>
        {
            ["HF_ENDPOINT"] = "http://mirror.local:8080/", ["HF_TOKEN"] = "hf_x", ["HF_HUB_CACHE"] = "/cache", ["HF_HUB_OFFLINE"] = "yes",
            ["HF_HUB_ETAG_TIMEOUT"] = "3", ["HF_HUB_DOWNLOAD_TIMEOUT"] = "42.5",
        };
        var o = HubClientOptions.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal(("http://mirror.local:8080", "hf_x", "/cache", true), (o.Endpoint, o.Token, o.CacheDir, o.Offline));
        Assert.Equal(TimeSpan.FromSeconds(3), o.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(42.5), o.ReadTimeout);

        var plain = HubClientOptions.FromEnvironment(k => k == "HOME" ? "/home/u" : k == "TRANSFORMERS_OFFLINE" ? "1" : null);
        Assert.Equal((HubClientOptions.DefaultEndpoint, "/home/u/.cache/huggingface/hub", true), (plain.Endpoint, plain.CacheDir, plain.Offline));
        Assert.False(HubClientOptions.IsTrue("0"));
        Assert.False(HubClientOptions.IsTrue(null));
    }
}
