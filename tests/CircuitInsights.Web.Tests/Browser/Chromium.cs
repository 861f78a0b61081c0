using Microsoft.Playwright;

namespace CircuitInsights.Web.Tests.Browser;

/// <summary>
/// Launches Debian's chromium (/usr/bin/chromium, installed by scripts/install-test-deps.sh) through Playwright's own
/// driver; never downloads a browser. A missing chromium FAILS the browser tests with a message saying how to install it.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            Assert.Fail($"chromium not found at {ExecutablePath}: the browser tests need Debian's chromium; run scripts/install-test-deps.sh (apt-get install chromium). Never run 'playwright install'.");
        var pw = await Playwright.CreateAsync();
        try
        {
            var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Args, Timeout = 60_000 });
            return (pw, browser);
        }
        catch
        {
            pw.Dispose();
            throw;
        }
    }

    /// <summary>Test artifacts (screenshots) go under the test's output directory.</summary>
    public static string ArtifactPath(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
