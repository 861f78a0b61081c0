using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CircuitInsights.Testing.Llm;

/// <summary>A chat request the mock received: model, temperature and the messages as (role, content).</summary>
public sealed record MockChatCall(string Model, double Temperature, IReadOnlyList<(string Role, string Content)> Messages, string? Authorization)
{
    public string User => Messages.LastOrDefault(m => m.Role == "user").Content ?? "";
    public string System => Messages.FirstOrDefault(m => m.Role == "system").Content ?? "";
}

/// <summary>
/// A loopback <see cref="HttpListener"/> that speaks the OpenAI chat-completions protocol
/// (<c>POST /v1/chat/completions</c> → <c>{"choices":[{"message":{"role":"assistant","content":…}}]}</c>). The answer
/// comes from <see cref="Responder"/>; <see cref="FailNext"/> makes the next requests fail with a status (e.g. 429, 503)
/// and <see cref="StallNext"/> makes them hang, so retries can be tested. Every request (failed ones too) is recorded.
/// </summary>
public sealed class MockChatServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly ConcurrentQueue<int> _failures = new();
    int _stalls;
    readonly TimeSpan _stall = TimeSpan.FromSeconds(5);

    public MockChatServer(Func<MockChatCall, string>? responder = null)
    {
        Responder = responder ?? (_ => "ok");
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { _listener.Start(); Port = port; break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _ = Loop();
    }

    public int Port { get; }
    /// <summary>Base URL to give the client (ends with /v1).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/v1";
    public Func<MockChatCall, string> Responder { get; set; }
    /// <summary>Requests that got an answer (status 200).</summary>
    public ConcurrentQueue<MockChatCall> Answered { get; } = new();
    /// <summary>Every request received, including failed and stalled ones.</summary>
    public int Received => _received;
    int _received;

    /// <summary>The next requests answer these statuses (one each, in order) instead of an answer.</summary>
    public void FailNext(params int[] statuses) { foreach (var s in statuses) _failures.Enqueue(s); }

    /// <summary>The next <paramref name="count"/> requests get no answer for 5 s.</summary>
    public void StallNext(int count) => Interlocked.Add(ref _stalls, count);

    bool TakeStall()
    {
        while (true)
        {
            int s = _stalls;
            if (s <= 0) return false;
            if (Interlocked.CompareExchange(ref _stalls, s - 1, s) == s) return true;
        }
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    async Task Handle(HttpListenerContext ctx)
    {
        try
        {
            Interlocked.Increment(ref _received);
            string body;
            using (var r = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await r.ReadToEndAsync();
            if (ctx.Request.HttpMethod != "POST" || ctx.Request.Url?.AbsolutePath != "/v1/chat/completions")
            {
                await Send(ctx, 404, """{"error":{"message":"not found"}}""");
                return;
            }
            if (TakeStall())
            {
                await Task.Delay(_stall);
                ctx.Response.Abort();
                return;
            }
            if (_failures.TryDequeue(out int status))
            {
                if (status == 429) ctx.Response.AddHeader("Retry-After", "0");
                await Send(ctx, status, """{"error":{"message":"injected failure"}}""");
                return;
            }
            var json = JsonNode.Parse(body)!;
            var messages = json["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList();
            var call = new MockChatCall(json["model"]!.GetValue<string>(), json["temperature"]?.GetValue<double>() ?? 1, messages, ctx.Request.Headers["Authorization"]);
            string content = Responder(call);
            Answered.Enqueue(call);
            var answer = new JsonObject
            {
                ["id"] = "chatcmpl-mock", ["object"] = "chat.completion", ["model"] = call.Model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["finish_reason"] = "stop" }),
            };
            await Send(ctx, 200, answer.ToJsonString());
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException or JsonException or InvalidOperationException)
        {
            try { ctx.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    static async Task Send(HttpListenerContext ctx, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
    }
}
