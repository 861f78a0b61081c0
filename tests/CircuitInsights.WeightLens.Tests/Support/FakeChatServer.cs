using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace CircuitInsights.WeightLens.Tests.Support;

/// <summary>A loopback HttpListener that answers OpenAI-style POST /v1/chat/completions with a canned concept (or an error).</summary>
public sealed class FakeChatServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;

    public string Endpoint { get; }
    public List<(string? Authorization, JsonNode Body)> Requests { get; } = [];
    /// <summary>HTTP status to answer with (200 = a concept).</summary>
    public int Status { get; set; } = 200;

    public FakeChatServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{port}/v1";
        _loop = Task.Run(Serve);
    }

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            lock (Requests) Requests.Add((ctx.Request.Headers["Authorization"], body));
            string user = body["messages"]![1]!["content"]!.GetValue<string>();
            string firstLine = user.Split('\n')[0];
            var answer = ctx.Request.Url!.AbsolutePath != "/v1/chat/completions" ? (404, "{\"error\":\"not found\"}")
                : Status != 200 ? (Status, "{\"error\":{\"message\":\"overloaded\"}}")
                : (200, new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"[Concept: tokens {firstLine}]" } }) }.ToJsonString());
            ctx.Response.StatusCode = answer.Item1;
            var bytes = Encoding.UTF8.GetBytes(answer.Item2);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
