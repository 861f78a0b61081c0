using CircuitInsights.Storage.Tests.Demo;
using Microsoft.Playwright;

namespace CircuitInsights.Web.Tests.Browser;

/// <summary>The explorer in a real browser (Debian chromium via Playwright) against the demo run's server.</summary>
[Trait("Category", "Slow")]
public class ExplorerBrowserTests(ExplorerFixture fx) : IAsyncLifetime
{
    IPlaywright? _pw;
    IBrowser? _browser;
    IPage _page = null!;
    readonly List<string> _errors = [];

    public async ValueTask InitializeAsync()
    {
        (_pw, _browser) = await Chromium.LaunchAsync();
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        _page.SetDefaultTimeout(30_000);
        _page.PageError += (_, e) => _errors.Add(e);
        _page.Console += (_, m) => { if (m.Type == "error") _errors.Add(m.Text); };
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _pw?.Dispose();
    }

    string At(string hash) => new Uri(fx.Url, "/" + hash).ToString();

    [Fact]
    public async Task SearchPlantedFeature_OpenIt_PlantedTokensAreHighlighted()
    {
        var b = fx.Run.Bank;
        await _page.GotoAsync(At(""));
        await _page.Locator("text=Run overview").WaitForAsync();
        await _page.FillAsync("#search-input", $"L{b.Layer}:{b.Index}");
        await _page.PressAsync("#search-input", "Enter");
        var link = _page.Locator($"#search-results a[href='#/feature/{b.Layer}/{b.Index}']");
        await link.First.ClickAsync();
        await _page.Locator("h1", new() { HasText = $"Feature L{b.Layer}:F{b.Index}" }).WaitForAsync();
        var targets = _page.Locator("[data-cluster] .ctx .tok.target");
        await targets.First.WaitForAsync();
        int n = await targets.CountAsync();
        Assert.True(n >= 1);
        for (int i = 0; i < n; i++)
        {
            var t = targets.Nth(i);
            Assert.Equal(" bank", await t.TextContentAsync());
            string bg = await t.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
            Assert.StartsWith("rgba(234, 88, 12", bg); // highlighted in proportion to the activation
            Assert.True(double.Parse((await t.GetAttributeAsync("data-act"))!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        }
        // the river word right before " bank" is marked as an attributed source token, and the feature is not active on it
        var before = await targets.First.EvaluateAsync<string[]>("e => [e.previousElementSibling.className, e.previousElementSibling.textContent, e.previousElementSibling.dataset.act]");
        var rivers = fx.Run.Manifest.TokenSets["river"].Select(t => t.Text).ToHashSet();
        Assert.Contains("src", before[0].Split(' '));
        Assert.Contains(before[1], rivers);
        Assert.Equal("0.0000", before[2]);
        await _page.Locator("#histogram rect.bar").First.WaitForAsync();
        Assert.True(await _page.Locator("#top-heads tr").CountAsync() >= 2);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Chromium.ArtifactPath("feature-page.png"), FullPage = true });
        Assert.True(_errors.Count == 0, string.Join(" | ", _errors));
    }

    [Fact]
    public async Task TokenWithScriptTag_RendersAsTextAndNeverRuns()
    {
        var w = fx.Run.Weekday;
        await _page.GotoAsync(At($"#/feature/{w.Layer}/{w.Index}"));
        var chip = _page.Locator("#wl-input-tokens .chip").First;
        await chip.WaitForAsync();
        Assert.Equal(DemoRun.ScriptToken, await chip.TextContentAsync());
        Assert.Equal(0, await chip.Locator("script").CountAsync());
        Assert.Equal(1, await _page.Locator("script").CountAsync()); // only the app's own module
        Assert.True(await _page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        Assert.Contains(DemoRun.ScriptToken, await _page.Locator("#feature-description").TextContentAsync());
        await _page.GotoAsync(At("#/search/" + Uri.EscapeDataString("<script>")));
        await _page.Locator("#search-results li").First.WaitForAsync();
        Assert.True(await _page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        Assert.True(_errors.Count == 0, string.Join(" | ", _errors));
    }

    [Fact]
    public async Task Graph_RendersPrunesAndOpensFeaturePages()
    {
        var gp = fx.Run.Manifest.GraphPrompts[0];
        await _page.GotoAsync(At("#/graph/1"));
        var nodes = _page.Locator("#graph-svg circle.node");
        await nodes.First.WaitForAsync();
        Assert.Equal(6, await nodes.CountAsync());
        Assert.Equal(5, await _page.Locator("#graph-svg line.edge").CountAsync());
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Chromium.ArtifactPath("graph.png"), FullPage = true });
        // prune at half the largest |weight| (2.0): edges 2.0 and 1.2 stay; nodes without edges go, the target logit stays
        await _page.Locator("#prune-threshold").FillAsync("50");
        Assert.Equal(2, await _page.Locator("#graph-svg line.edge").CountAsync());
        Assert.Equal(4, await nodes.CountAsync());
        string bankNode = $"{gp.Target.Layer}_{gp.Target.Index}_{gp.TargetPosition}";
        await _page.Locator($"#graph-svg circle[data-node-id='{bankNode}']").ClickAsync();
        await _page.Locator("#pin-node").ClickAsync();
        Assert.Contains("pinned", await _page.Locator($"#graph-svg circle[data-node-id='{bankNode}']").GetAttributeAsync("class"));
        await _page.Locator("#open-feature").ClickAsync();
        await _page.Locator("h1", new() { HasText = $"Feature L{gp.Target.Layer}:F{gp.Target.Index}" }).WaitForAsync();
        Assert.EndsWith($"#/feature/{gp.Target.Layer}/{gp.Target.Index}", _page.Url);
        Assert.True(_errors.Count == 0, string.Join(" | ", _errors));
    }

    [Fact]
    public async Task PromptBox_ShowsActiveFeaturesPerToken()
    {
        var gp = fx.Run.Manifest.GraphPrompts[0];
        await _page.GotoAsync(At("#/prompt"));
        await _page.FillAsync("#prompt-text", gp.Prompt);
        await _page.ClickAsync("#prompt-run");
        var tokens = _page.Locator("#prompt-result .prompt-token");
        await tokens.First.WaitForAsync();
        var bank = tokens.Nth(gp.TargetPosition);
        Assert.Equal(" bank", await bank.Locator(".t").TextContentAsync());
        Assert.True(await bank.Locator($"a[href='#/feature/{gp.Target.Layer}/{gp.Target.Index}']").CountAsync() == 1);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Chromium.ArtifactPath("prompt.png"), FullPage = true });
        Assert.True(_errors.Count == 0, string.Join(" | ", _errors));
    }
}
