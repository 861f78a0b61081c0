using System.Net;
using System.Text.Json;
using CircuitInsights.Storage.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CircuitInsights.Web;

/// <summary>
/// The local explorer: an ASP.NET Core minimal-API server over one feature store (JSON API under /api, the embedded
/// vanilla-JS front end under / and /assets). Binds loopback unless told otherwise (<see cref="BindingPolicy"/>);
/// rejects requests whose Host header is not a loopback name while bound to loopback (DNS-rebinding guard); sends a
/// strict Content-Security-Policy (scripts and styles only from itself, no inline script).
/// </summary>
public sealed class ExplorerServer : IAsyncDisposable
{
    readonly WebApplication _app;

    /// <summary>The address it listens on, e.g. http://127.0.0.1:43117.</summary>
    public Uri Url { get; }

    ExplorerServer(WebApplication app, Uri url) { _app = app; Url = url; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<ExplorerServer> StartAsync(ExplorerOptions options, CancellationToken cancel = default)
    {
        var address = BindingPolicy.Resolve(options.Host, options.HostExplicit);
        BindingPolicy.CheckPort(options.Port);
        using (FeatureStore.Open(options.DbPath)) { } // fail now on a missing or foreign file
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 64 * 1024;
            k.Listen(address, options.Port); // explicit endpoints override ASPNETCORE_URLS and friends
        });
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
            j.SerializerOptions.Converters.Add(new SafeJsonElementConverter());
            j.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default; // ASP.NET's default is the relaxed one: keep < > & escaped
        });
        var app = builder.Build();
        bool loopbackOnly = IPAddress.IsLoopback(address);
        app.Use(async (ctx, next) =>
        {
            if (loopbackOnly && !IsLoopbackHostHeader(ctx.Request.Host.Host))
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsync("bad Host header");
                return;
            }
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h.CacheControl = "no-store";
            await next();
        });
        ExplorerApi.Map(app, options);
        await app.StartAsync(cancel);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ExplorerServer(app, new Uri(bound));
    }

    static bool IsLoopbackHostHeader(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Runs until <paramref name="cancel"/> fires (Ctrl+C in the CLI).</summary>
    public Task WaitAsync(CancellationToken cancel) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
