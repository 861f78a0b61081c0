namespace CircuitInsights.Tensors;

/// <summary>Process-wide compute settings (thread count). The CLI sets them from <c>--threads</c>.</summary>
public static class ComputeSettings
{
    static int _threads = Environment.ProcessorCount;

    /// <summary>Worker threads used by multi-threaded kernels (≥ 1). Defaults to the number of logical processors.</summary>
    public static int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "threads must be at least 1");
    }
}
