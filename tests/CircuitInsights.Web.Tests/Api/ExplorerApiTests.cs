using System.Net;
using System.Text;
using System.Text.Json;

namespace CircuitInsights.Web.Tests.Api;

[Trait("Category", "Slow")]
public class ExplorerApiTests(ExplorerFixture fx)
{
    CancellationToken Cancel => TestContext.Current.CancellationToken;

    async Task<JsonElement> Get(string path)
    {
        var res = await fx.Http.GetAsync(path, Cancel);
        string body = await res.Content.ReadAsStringAsync(Cancel);
        Assert.True(res.IsSuccessStatusCode, $"{path}: {(int)res.StatusCode} {body}");
        Assert.StartsWith("application/json", res.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Run_Overview_DescribesTheRunLayersAndGraph()
    {
        var run = await Get("/api/run");
        var o = run.GetProperty("overview");
        Assert.Equal("circuit-tracer", o.GetProperty("run").GetProperty("transcoder_format").GetString());
        Assert.Equal(3, o.GetProperty("layers").GetArrayLength());
        Assert.Equal("river-bank", o.GetProperty("graphs")[0].GetProperty("slug").GetString());
        Assert.True(run.GetProperty("prompt_enabled").GetBoolean());
        Assert.True(o.GetProperty("counts").GetProperty("contexts").GetInt64() > 0);
    }

    [Fact]
    public async Task Search_PlantedFeatureIdAndToken_FindIt()
    {
        var b = fx.Run.Bank;
        var hits = (await Get($"/api/search?q=L{b.Layer}:{b.Index}")).GetProperty("hits");
        Assert.Equal((b.Layer, b.Index), (hits[0].GetProperty("layer").GetInt32(), hits[0].GetProperty("index").GetInt32()));
        string animal = fx.Run.Manifest.TokenSets["animals"][0].Text;
        var byToken = (await Get($"/api/search?q={Uri.EscapeDataString(animal)}&by=token")).GetProperty("hits");
        Assert.Contains(byToken.EnumerateArray(), h => h.GetProperty("index").GetInt32() == fx.Run.AnimalDetector.Index && h.GetProperty("layer").GetInt32() == 0);
        var bad = await fx.Http.GetAsync("/api/search?q=x&by=nonsense", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Feature_PlantedContextFeature_PageHasCircuitHistogramAndContexts()
    {
        var b = fx.Run.Bank;
        var page = await Get($"/api/features/{b.Layer}/{b.Index}");
        Assert.True(page.GetProperty("clusters").GetArrayLength() >= 1);
        var head = page.GetProperty("heads")[0];
        Assert.Equal((1, 0, -1), (head.GetProperty("layer").GetInt32(), head.GetProperty("head").GetInt32(), head.GetProperty("delta").GetInt32()));
        Assert.True(page.GetProperty("histogram").GetProperty("total").GetInt64() > 0);
        Assert.Equal(1, page.GetProperty("graphs").GetArrayLength());
        var contexts = (await Get($"/api/features/{b.Layer}/{b.Index}/contexts?source=circuitlens&limit=5")).GetProperty("contexts");
        Assert.InRange(contexts.GetArrayLength(), 1, 5);
        var c = contexts[0];
        int target = c.GetProperty("target_position").GetInt32();
        Assert.Equal(" bank", c.GetProperty("tokens")[target].GetProperty("text").GetString());
        Assert.True(c.GetProperty("has_activations").GetBoolean());
        Assert.Contains(c.GetProperty("sources").EnumerateArray(), s => s.GetProperty("position").GetInt32() == target - 1);
    }

    [Fact]
    public async Task Feature_Unknown_Is404()
    {
        var res = await fx.Http.GetAsync("/api/features/7/123456", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.Contains("no feature", await res.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Graph_Json_IsServedWithTheImportedContent()
    {
        long id = (await Get("/api/graphs"))[0].GetProperty("id").GetInt64();
        var res = await fx.Http.GetAsync($"/api/graphs/{id}", Cancel);
        var served = System.Text.Json.Nodes.JsonNode.Parse(await res.Content.ReadAsStringAsync(Cancel));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(fx.Run.GraphFile)), served));
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync("/api/graphs/999", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Prompt_RiverBank_ActivatesThePlantedBankFeature()
    {
        var gp = fx.Run.Manifest.GraphPrompts[0];
        var res = await fx.Http.PostAsync("/api/prompt", new StringContent(JsonSerializer.Serialize(new { text = gp.Prompt, top_k = 10 }), Encoding.UTF8, "application/json"), Cancel);
        string body = await res.Content.ReadAsStringAsync(Cancel);
        Assert.True(res.IsSuccessStatusCode, body);
        var tokens = JsonDocument.Parse(body).RootElement.GetProperty("tokens");
        var bank = tokens[gp.TargetPosition];
        Assert.Equal(" bank", bank.GetProperty("text").GetString());
        Assert.Contains(bank.GetProperty("features").EnumerateArray(), f => f.GetProperty("layer").GetInt32() == gp.Target.Layer && f.GetProperty("index").GetInt32() == gp.Target.Index);
    }

    [Fact]
    public async Task Prompt_NotJson_IsRejected()
    {
        var res = await fx.Http.PostAsync("/api/prompt", new StringContent("text=hello", Encoding.UTF8, "application/x-www-form-urlencoded"), Cancel);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        var empty = await fx.Http.PostAsync("/api/prompt", new StringContent("{\"text\": \"\"}", Encoding.UTF8, "application/json"), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
