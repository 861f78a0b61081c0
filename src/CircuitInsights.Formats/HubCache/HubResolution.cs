namespace CircuitInsights.Formats;

/// <summary>
/// The optional hook through which loaders reach the hub: <see cref="Current"/> is the resolver of the current
/// asynchronous flow (set with <see cref="Use"/>), else the process-wide <see cref="Default"/>, else null — in which
/// case loaders use the local cache only (the behaviour without CircuitInsights.Hub).
/// </summary>
public static class HubResolution
{
    static readonly AsyncLocal<IHubResolver?> Scoped = new();

    /// <summary>Process-wide resolver (null by default).</summary>
    public static IHubResolver? Default { get; set; }

    /// <summary>The resolver loaders should use now, or null for cache-only resolution.</summary>
    public static IHubResolver? Current => Scoped.Value ?? Default;

    /// <summary>Installs <paramref name="resolver"/> for the current asynchronous flow until the returned scope is disposed.</summary>
    public static IDisposable Use(IHubResolver? resolver)
    {
        var previous = Scoped.Value;
        Scoped.Value = resolver;
        return new Scope(previous);
    }

    sealed class Scope(IHubResolver? previous) : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Scoped.Value = previous;
        }
    }
}
