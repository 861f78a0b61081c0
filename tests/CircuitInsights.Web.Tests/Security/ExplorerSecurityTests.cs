using System.Text.Json;
using CircuitInsights.Storage.Tests.Demo;

namespace CircuitInsights.Web.Tests.Security;

[Trait("Category", "Slow")]
public class ExplorerSecurityTests(ExplorerFixture fx)
{
    CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/assets/../../../../../../etc/passwd")]
    [InlineData("/../../../../../../etc/passwd")]
    [InlineData("/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/assets//etc/passwd")]
    [InlineData("/assets/%2fetc%2fpasswd")]
    [InlineData("/assets/app.js/../../../../etc/passwd")]
    [InlineData("/assets/....//....//....//etc/passwd")]
    [InlineData("/assets/C:%5cWindows%5cwin.ini")]
    [InlineData("//etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("/assets/CircuitInsights.Web.dll")]
    [InlineData("/assets/..%5c..%5c..%5cetc%5cpasswd")]
    [InlineData("/wwwroot/app.js")]
    public async Task StaticRoute_TraversalAndUnknownPaths_AreRefused(string path)
    {
        var (status, response) = await RawHttp.Get(fx.Url, path, cancel: Cancel);
        Assert.True(status is 400 or 404, $"{path} answered {status}");
        Assert.DoesNotContain("root:", response);
        Assert.DoesNotContain("MZ", response.Split("\r\n\r\n", 2).ElementAtOrDefault(1) ?? "");
    }

    [Fact]
    public async Task StaticRoute_KnownAsset_IsServedWithSecurityHeaders()
    {
        var (status, response) = await RawHttp.Get(fx.Url, "/assets/app.js", cancel: Cancel);
        Assert.Equal(200, status);
        Assert.Contains("Content-Type: text/javascript", response);
        Assert.Contains("X-Content-Type-Options: nosniff", response);
        var (rootStatus, root) = await RawHttp.Get(fx.Url, "/", cancel: Cancel);
        Assert.Equal(200, rootStatus);
        Assert.Contains("Content-Security-Policy: default-src 'none'; script-src 'self'", root);
    }

    [Fact]
    public async Task Request_ForeignHostHeader_IsRejected()
    {
        var (status, _) = await RawHttp.Get(fx.Url, "/api/run", host: "attacker.example", cancel: Cancel);
        Assert.Equal(400, status);
        var (ok, _) = await RawHttp.Get(fx.Url, "/api/run", host: $"localhost:{fx.Url.Port}", cancel: Cancel);
        Assert.Equal(200, ok);
    }

    [Fact]
    public async Task Api_TokenWithScriptTag_IsEscapedInJsonAndIntactWhenParsed()
    {
        var w = fx.Run.Weekday;
        string body = await fx.Http.GetStringAsync($"/api/features/{w.Layer}/{w.Index}", Cancel);
        int at = body.IndexOf("<script>", StringComparison.Ordinal);
        Assert.True(at < 0, at < 0 ? "" : body[Math.Max(0, at - 300)..Math.Min(body.Length, at + 50)]);
        var tokens = JsonDocument.Parse(body).RootElement.GetProperty("weight_lens").GetProperty("input_tokens");
        Assert.Equal(DemoRun.ScriptToken, tokens[0].GetProperty("text").GetString());
        string search = await fx.Http.GetStringAsync("/api/search?q=" + Uri.EscapeDataString("<script>"), Cancel);
        Assert.DoesNotContain("<script>", search);
        Assert.Contains(JsonDocument.Parse(search).RootElement.GetProperty("hits").EnumerateArray(), h => h.GetProperty("index").GetInt32() == w.Index);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.168.1.20")]
    [InlineData("10.0.0.1")]
    public void Binding_NonLoopbackWithoutExplicitHost_IsRefused(string host)
    {
        var e = Assert.Throws<CircuitInsightsException>(() => BindingPolicy.Resolve(host, explicitHost: false));
        Assert.Contains("--host", e.Message);
        Assert.NotNull(BindingPolicy.Resolve(host, explicitHost: true));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void Binding_Loopback_IsAllowedByDefault(string? host) =>
        Assert.True(System.Net.IPAddress.IsLoopback(BindingPolicy.Resolve(host, explicitHost: false)));

    [Fact]
    public async Task Server_NonLoopbackWithoutExplicitHost_DoesNotStart()
    {
        await Assert.ThrowsAsync<CircuitInsightsException>(async () =>
            await ExplorerServer.StartAsync(new ExplorerOptions { DbPath = fx.Run.DbPath, Host = "0.0.0.0", Port = 0 }, Cancel));
    }

    [Fact]
    public async Task Server_AspNetCoreUrlsEnvironment_CannotWidenTheBinding()
    {
        string? before = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://0.0.0.0:0");
        try
        {
            await using var server = await ExplorerServer.StartAsync(new ExplorerOptions { DbPath = fx.Run.DbPath, Port = 0 }, Cancel);
            Assert.Equal("127.0.0.1", server.Url.Host);
        }
        finally { Environment.SetEnvironmentVariable("ASPNETCORE_URLS", before); }
    }
}
