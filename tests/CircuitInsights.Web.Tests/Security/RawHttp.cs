using System.Net.Sockets;
using System.Text;

namespace CircuitInsights.Web.Tests.Security;

/// <summary>Sends a request line exactly as written (HttpClient would normalise "../" and percent-escapes away).</summary>
public static class RawHttp
{
    public static async Task<(int Status, string Response)> Get(Uri server, string rawPath, string? host = null, CancellationToken cancel = default)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, cancel);
        using var stream = tcp.GetStream();
        string request = $"GET {rawPath} HTTP/1.1\r\nHost: {host ?? $"{server.Host}:{server.Port}"}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancel);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync(cancel);
        var status = response.Split(' ', 3);
        return (status.Length >= 2 && int.TryParse(status[1], out int s) ? s : 0, response);
    }
}
