using System.Diagnostics;
using CircuitInsights.Bench.Attribution;

namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>Wall time, process CPU time and peak resident memory of one benchmark phase.</summary>
/// <param name="PeakRssBytes">VmHWM of /proc/self/status after the phase, reset to the current RSS when it began (so it
/// includes the model and transcoder weights held throughout); 0 where unavailable.</param>
/// <param name="KernelCpuSeconds">Of <paramref name="CpuSeconds"/>, the time in the kernel (mostly page faults of fresh allocations).</param>
public sealed record BenchPhase(string Name, double Seconds, double CpuSeconds, double KernelCpuSeconds, long PeakRssBytes)
{
    public override string ToString() =>
        $"{Name}: {Seconds:F1} s wall, {CpuSeconds:F1} s CPU ({KernelCpuSeconds:F1} s in the kernel; {(Seconds > 0 ? CpuSeconds / Seconds : 0):F2} cores busy), peak RSS {PeakRssBytes / (double)(1L << 30):F2} GiB";
}

/// <summary>Measures a <see cref="BenchPhase"/>: at the start, an aggressive full GC (returns free heap memory to the OS, so the
/// previous phase's garbage does not count) and a reset of the peak-RSS mark (Linux: "5" to /proc/self/clear_refs).</summary>
public sealed class PhaseMeter
{
    readonly string _name;
    readonly Stopwatch _wall;
    readonly TimeSpan _cpu0, _kernel0;

    PhaseMeter(string name)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        AttributionBenchmark.ResetPeak();
        _name = name;
        using var p = Process.GetCurrentProcess();
        (_cpu0, _kernel0) = (p.TotalProcessorTime, p.PrivilegedProcessorTime);
        _wall = Stopwatch.StartNew();
    }

    public static PhaseMeter Start(string name) => new(name);

    public BenchPhase Stop()
    {
        double wall = _wall.Elapsed.TotalSeconds;
        using var p = Process.GetCurrentProcess();
        return new BenchPhase(_name, wall, (p.TotalProcessorTime - _cpu0).TotalSeconds, (p.PrivilegedProcessorTime - _kernel0).TotalSeconds, AttributionBenchmark.ReadStatus("VmHWM"));
    }
}
