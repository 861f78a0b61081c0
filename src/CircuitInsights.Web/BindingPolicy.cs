using System.Net;

namespace CircuitInsights.Web;

/// <summary>
/// Where the explorer may listen. It serves unauthenticated research data and can run the model, so it binds the
/// loopback interface unless the user explicitly names another host (<c>serve --host</c>); a non-loopback address that
/// did not come from an explicit choice is refused. Host names other than "localhost" are not resolved.
/// </summary>
public static class BindingPolicy
{
    public const string DefaultHost = "127.0.0.1";

    public static IPAddress Resolve(string? host, bool explicitHost)
    {
        host = string.IsNullOrWhiteSpace(host) ? DefaultHost : host.Trim();
        IPAddress address;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host.Trim('[', ']'), out address!))
            throw new CircuitInsightsException($"--host '{host}': not an IP address (use e.g. 127.0.0.1, ::1 or 0.0.0.0)");
        if (!IPAddress.IsLoopback(address) && !explicitHost)
            throw new CircuitInsightsException($"refusing to listen on non-loopback address {address} without an explicit --host; the explorer has no authentication");
        return address;
    }

    public static void CheckPort(int port)
    {
        if (port is < 0 or > 65535) throw new CircuitInsightsException($"--port {port}: must be in [0, 65535] (0 = any free port)");
    }
}
