using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CircuitInsights.Formats;

namespace CircuitInsights.Testing.Hub;

/// <summary>One request the mock saw.</summary>
public sealed record RecordedRequest(bool Cdn, string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that answers like the Hugging Face hub (one request per connection):
/// <c>GET /api/{models|datasets}/{repo}/revision/{rev}</c> (sha, siblings), <c>HEAD/GET /[datasets/]{repo}/resolve/{rev}/{path}</c>
/// (X-Repo-Commit, ETag; LFS files: 302 to a second listener, the "CDN", with X-Linked-Etag/X-Linked-Size), Range
/// requests, GatedRepo/RepoNotFound/RevisionNotFound/EntryNotFound errors, and injected faults: connections cut after
/// N bytes, stalls, corrupted bodies, 503s, ignored ranges, relative redirects of renamed repos.
/// </summary>
public sealed class MockHubServer : IDisposable
{
    readonly TcpListener hub = new(IPAddress.Loopback, 0);
    readonly TcpListener cdn = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly object gate = new();
    readonly Dictionary<string, (int Bytes, int Times)> cuts = new();
    readonly Dictionary<string, (int Bytes, TimeSpan Delay, int Times)> stalls = new();
    readonly Dictionary<string, int> corruptions = new();
    int serverErrors;

    public MockHubServer()
    {
        hub.Start();
        cdn.Start();
        _ = AcceptLoop(hub, isCdn: false);
        _ = AcceptLoop(cdn, isCdn: true);
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)hub.LocalEndpoint).Port}";
    public string CdnEndpoint => $"http://127.0.0.1:{((IPEndPoint)cdn.LocalEndpoint).Port}";
    public string ValidToken { get; set; } = "hf_valid_token";
    public bool IgnoreRange { get; set; }
    public ConcurrentDictionary<string, MockRepo> Repos { get; } = new();
    /// <summary>Old repo id → new id: answered with a relative 307 redirect (a renamed repo).</summary>
    public ConcurrentDictionary<string, string> Renamed { get; } = new();
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public MockRepo Add(MockRepo repo)
    {
        Repos[Key(repo.Id, repo.Type)] = repo;
        return repo;
    }

    /// <summary>The next <paramref name="times"/> GETs of the blob send <paramref name="bytes"/> bytes of the body, then close the connection.</summary>
    public void CutAfter(string etag, int bytes, int times = 1) { lock (gate) cuts[etag] = (bytes, times); }

    /// <summary>The next <paramref name="times"/> GETs of the blob send <paramref name="bytes"/> bytes, then go silent for <paramref name="delay"/>.</summary>
    public void StallAfter(string etag, int bytes, TimeSpan delay, int times = 1) { lock (gate) stalls[etag] = (bytes, delay, times); }

    /// <summary>The next <paramref name="times"/> GETs of the blob send a body with one byte flipped.</summary>
    public void Corrupt(string etag, int times = 1) { lock (gate) corruptions[etag] = times; }

    /// <summary>The next <paramref name="count"/> requests to the hub listener get 503.</summary>
    public void FailNext(int count) { lock (gate) serverErrors = count; }

    public IEnumerable<RecordedRequest> CdnRequests => Requests.Where(r => r.Cdn);
    public IEnumerable<RecordedRequest> HubRequests => Requests.Where(r => !r.Cdn);

    static string Key(string id, HubRepoType type) => $"{type}:{id}";

    async Task AcceptLoop(TcpListener listener, bool isCdn)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await Handle(client, isCdn); }
                    catch (IOException) { }
                    catch (SocketException) { }
                    catch (ObjectDisposedException) { }
                }
            });
        }
    }

    async Task Handle(TcpClient client, bool isCdn)
    {
        var stream = client.GetStream();
        var head = await ReadHead(stream);
        if (head is null) return;
        var lines = head.Split("\r\n");
        var first = lines[0].Split(' ');
        string method = first[0], target = first[1];
        var headers = new Dictionary<string, string>();
        foreach (var l in lines.Skip(1))
        {
            int colon = l.IndexOf(':');
            if (colon > 0) headers[l[..colon].Trim().ToLowerInvariant()] = l[(colon + 1)..].Trim();
        }
        var request = new RecordedRequest(isCdn, method, target, headers);
        Requests.Enqueue(request);
        var response = isCdn ? Cdn(request) : Hub(request);
        await Send(client, stream, method, response);
    }

    sealed class Response
    {
        public int Status = 200;
        public Dictionary<string, string> Headers = new();
        public byte[] Body = [];
        public string? BlobEtag; // for fault injection
        public long BodyOffset;
    }

    Response Hub(RecordedRequest r)
    {
        lock (gate)
            if (serverErrors > 0) { serverErrors--; return new Response { Status = 503 }; }
        string path = r.Target.Split('?')[0];
        if (path.StartsWith("/api/", StringComparison.Ordinal)) return Api(r, path);
        int resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (resolve < 0) return new Response { Status = 404 };
        string repoPart = path[1..resolve];
        var type = HubRepoType.Model;
        if (repoPart.StartsWith("datasets/", StringComparison.Ordinal)) { type = HubRepoType.Dataset; repoPart = repoPart[9..]; }
        var rest = path[(resolve + 9)..].Split('/');
        string rev = Uri.UnescapeDataString(rest[0]);
        string file = string.Join('/', rest.Skip(1).Select(Uri.UnescapeDataString));
        if (Renamed.TryGetValue(repoPart, out var newId))
            return new Response { Status = 307, Headers = { ["Location"] = path.Replace("/" + repoPart + "/", "/" + newId + "/") } };
        if (Check(r, repoPart, type, rev, out var repo, out var commit) is { } error) return error;
        if (!repo!.Commits[commit!].TryGetValue(file, out var f))
            return Error(404, "EntryNotFound", "Entry not found", commit);
        var resp = new Response { Headers = { ["X-Repo-Commit"] = commit!, ["ETag"] = $"\"{(f.Lfs ? MockFile.GitBlobId(Encoding.ASCII.GetBytes("pointer " + f.Sha256)) : f.GitSha1)}\"" } };
        if (f.Lfs)
        {
            resp.Status = 302;
            resp.Headers["Location"] = $"{CdnEndpoint}/blobs/{f.Sha256}?X-Amz-Signature=abc";
            resp.Headers["X-Linked-Etag"] = $"\"{f.Sha256}\"";
            resp.Headers["X-Linked-Size"] = f.Content.Length.ToString();
            return resp;
        }
        return Content(r, resp, f);
    }

    Response Cdn(RecordedRequest r)
    {
        string path = r.Target.Split('?')[0];
        if (!path.StartsWith("/blobs/", StringComparison.Ordinal)) return new Response { Status = 404 };
        string sha = path[7..];
        var f = Repos.Values.SelectMany(x => x.Commits.Values).SelectMany(c => c.Values).FirstOrDefault(x => x.Sha256 == sha);
        return f is null ? new Response { Status = 404 } : Content(r, new Response(), f);
    }

    Response Content(RecordedRequest r, Response resp, MockFile f)
    {
        resp.BlobEtag = f.Etag;
        long from = 0;
        if (!IgnoreRange && r.Header("Range") is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range[6..^1]);
            if (from >= f.Content.Length) return new Response { Status = 416, Headers = { ["Content-Range"] = $"bytes */{f.Content.Length}" } };
            resp.Status = 206;
            resp.Headers["Content-Range"] = $"bytes {from}-{f.Content.Length - 1}/{f.Content.Length}";
        }
        resp.Body = f.Content[(int)from..];
        resp.BodyOffset = from;
        return resp;
    }

    Response Api(RecordedRequest r, string path)
    {
        var type = path.StartsWith("/api/datasets/", StringComparison.Ordinal) ? HubRepoType.Dataset : HubRepoType.Model;
        string rest = path[(type == HubRepoType.Dataset ? 14 : 12)..];
        int at = rest.IndexOf("/revision/", StringComparison.Ordinal);
        if (at < 0) return new Response { Status = 404 };
        string repoId = rest[..at];
        string rev = Uri.UnescapeDataString(rest[(at + 10)..]);
        if (Check(r, repoId, type, rev, out var repo, out var commit) is { } error) return error;
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = repoId,
            sha = commit,
            siblings = repo!.Commits[commit!].Keys.Order(StringComparer.Ordinal).Select(k => new { rfilename = k }),
        });
        return new Response { Body = json, Headers = { ["Content-Type"] = "application/json" } };
    }

    Response? Check(RecordedRequest r, string repoId, HubRepoType type, string rev, out MockRepo? repo, out string? commit)
    {
        commit = null;
        if (!Repos.TryGetValue(Key(repoId, type), out repo)) return Error(404, "RepoNotFound", "Repository not found");
        if (repo.Gated)
        {
            string? auth = r.Header("Authorization");
            if (auth is null) return Error(401, "GatedRepo", "Access to model is restricted. You must have access to it and be authenticated to access it.");
            if (auth != "Bearer " + ValidToken) return Error(403, "GatedRepo", "Access to model is restricted and you are not in the authorized list.");
        }
        commit = repo.CommitOf(rev);
        return commit is null ? Error(404, "RevisionNotFound", "Invalid rev id") : null;
    }

    static Response Error(int status, string code, string message, string? commit = null)
    {
        var resp = new Response { Status = status, Headers = { ["X-Error-Code"] = code, ["X-Error-Message"] = message }, Body = Encoding.UTF8.GetBytes($"{{\"error\":\"{message}\"}}") };
        if (commit is not null) resp.Headers["X-Repo-Commit"] = commit;
        return resp;
    }

    async Task Send(TcpClient client, NetworkStream stream, string method, Response resp)
    {
        byte[] body = resp.Body;
        int? cutAt = null;
        (int Bytes, TimeSpan Delay)? stall = null;
        if (method == "GET" && resp.BlobEtag is { } etag && resp.Status is 200 or 206)
            lock (gate)
            {
                if (cuts.TryGetValue(etag, out var c) && c.Times > 0) { cutAt = c.Bytes; cuts[etag] = (c.Bytes, c.Times - 1); }
                if (stalls.TryGetValue(etag, out var s) && s.Times > 0) { stall = (s.Bytes, s.Delay); stalls[etag] = (s.Bytes, s.Delay, s.Times - 1); }
                if (corruptions.TryGetValue(etag, out int k) && k > 0 && body.Length > 0)
                {
                    corruptions[etag] = k - 1;
                    body = (byte[])body.Clone();
                    body[body.Length / 2] ^= 0x5A;
                }
            }
        var sb = new StringBuilder($"HTTP/1.1 {resp.Status} {Reason(resp.Status)}\r\n");
        foreach (var (k, v) in resp.Headers) sb.Append($"{k}: {v}\r\n");
        sb.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
        if (method == "HEAD") return;
        if (cutAt is int cut)
        {
            await stream.WriteAsync(body.AsMemory(0, Math.Min(cut, body.Length)));
            await stream.FlushAsync();
            client.Client.Shutdown(SocketShutdown.Both);
            return;
        }
        if (stall is var (bytes, delay))
        {
            await stream.WriteAsync(body.AsMemory(0, Math.Min(bytes, body.Length)));
            await stream.FlushAsync();
            try { await Task.Delay(delay, stop.Token); } catch (OperationCanceledException) { }
            client.Client.Shutdown(SocketShutdown.Both);
            return;
        }
        await stream.WriteAsync(body);
        await stream.FlushAsync();
        client.Client.Shutdown(SocketShutdown.Send);
    }

    static async Task<string?> ReadHead(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            int n = await stream.ReadAsync(one);
            if (n == 0) return null;
            buffer.Add(one[0]);
            int c = buffer.Count;
            if (c >= 4 && buffer[c - 4] == '\r' && buffer[c - 3] == '\n' && buffer[c - 2] == '\r' && buffer[c - 1] == '\n')
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, c - 4);
        }
        return null;
    }

    static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 307 => "Temporary Redirect", 401 => "Unauthorized", 403 => "Forbidden",
        404 => "Not Found", 416 => "Range Not Satisfiable", 503 => "Service Unavailable", _ => "Status",
    };

    public void Dispose()
    {
        stop.Cancel();
        hub.Stop();
        cdn.Stop();
    }
}
