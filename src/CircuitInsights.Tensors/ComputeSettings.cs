namespace CircuitInsights.Tensors;

/// <summary>
/// Process-wide compute settings (thread count). The CLI sets them from <c>--threads</c>. A scoped override
/// (<see cref="UseThreads"/>) applies to the current async flow only, e.g. to run kernels single-threaded inside an
/// outer parallel loop, or in tests that run concurrently.
/// </summary>
public static class ComputeSettings
{
    static int _threads = Environment.ProcessorCount;
    static readonly AsyncLocal<int> _override = new();

    /// <summary>
    /// Worker threads used by multi-threaded kernels (≥ 1). Defaults to the number of logical processors. Reading it
    /// inside a <see cref="UseThreads"/> scope gives the scoped value; setting it changes the process-wide default.
    /// </summary>
    public static int Threads
    {
        get => _override.Value is > 0 and var scoped ? scoped : _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "threads must be at least 1");
    }

    /// <summary>Overrides <see cref="Threads"/> for the current async flow until the returned scope is disposed.</summary>
    public static IDisposable UseThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be at least 1");
        var scope = new Scope(_override.Value);
        _override.Value = threads;
        return scope;
    }

    sealed class Scope(int previous) : IDisposable
    {
        bool _disposed;
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _override.Value = previous;
        }
    }
}
