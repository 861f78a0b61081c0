using CircuitInsights.Storage.Tests.Demo;
using CircuitInsights.Web;

[assembly: AssemblyFixture(typeof(CircuitInsights.Web.Tests.ExplorerFixture))]

namespace CircuitInsights.Web.Tests;

/// <summary>The demo run's store served by a real explorer on a free loopback port (with the prompt box), shared by all tests.</summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    DemoRun? _run;
    ExplorerServer? _server;

    public DemoRun Run => _run ?? throw new InvalidOperationException("fixture not started");
    public ExplorerServer Server => _server ?? throw new InvalidOperationException("fixture not started");
    public Uri Url => Server.Url;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask InitializeAsync()
    {
        _run = await Task.Run(() => new DemoRun());
        _server = await ExplorerServer.StartAsync(new ExplorerOptions
        {
            DbPath = _run.DbPath, Port = 0, Prompt = new PromptAnalyzer(_run.Model, _run.Transcoders),
        });
        Http.BaseAddress = _server.Url;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        _run?.Dispose();
    }
}
