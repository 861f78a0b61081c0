namespace CircuitInsights.Tensors.Kernels;

/// <summary>
/// Runs work items on up to <c>workers</c> threads (the caller plus thread-pool threads), handing items out dynamically
/// so that a slow (contended) core does not hold the others up. Item boundaries are fixed by the caller, never by timing,
/// so results do not depend on which thread ran which item.
/// </summary>
internal static class ParallelWork
{
    public static void For(int workers, int items, Action<int> body)
    {
        if (items <= 0) return;
        if (workers <= 1 || items == 1)
        {
            for (int i = 0; i < items; i++) body(i);
            return;
        }
        int next = -1;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(workers, items) };
        try
        {
            Parallel.For(0, options.MaxDegreeOfParallelism, options, _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < items) body(i);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
