using System.Runtime.ExceptionServices;

namespace CircuitInsights.Tensors;

/// <summary><see cref="Parallel.For(int, int, Action{int})"/> that rethrows the first failure itself instead of an
/// <see cref="AggregateException"/>, so user-input errors raised in workers keep their type and one-line message.</summary>
public static class ParallelLoop
{
    public static void For(int fromInclusive, int toExclusive, Action<int> body)
    {
        try
        {
            Parallel.For(fromInclusive, toExclusive, new ParallelOptions { MaxDegreeOfParallelism = ComputeSettings.Threads }, body);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            var first = ex.Flatten().InnerExceptions.FirstOrDefault(e => e is CircuitInsightsException) ?? ex.Flatten().InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }
}
