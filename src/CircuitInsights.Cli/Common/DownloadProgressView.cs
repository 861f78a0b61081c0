using CircuitInsights.Hub;
using Spectre.Console;

namespace CircuitInsights.Cli.Common;

/// <summary>
/// Shows hub downloads: on a terminal a Spectre.Console progress display on stderr (bar, bytes, speed, ETA per file),
/// started at the first report so cached resolutions print nothing; otherwise one line per downloaded file.
/// </summary>
public sealed class DownloadProgressView(CliIO io) : IProgress<DownloadProgress>, IDisposable
{
    readonly object gate = new();
    readonly Dictionary<string, ProgressTask> tasks = new(StringComparer.Ordinal);
    Task? display;
    TaskCompletionSource? finished;
    ProgressContext? context;

    /// <summary>Files downloaded (not found in the cache) so far.</summary>
    public int Files { get; private set; }
    /// <summary>Bytes of the downloaded files.</summary>
    public long Bytes { get; private set; }

    public void Report(DownloadProgress p)
    {
        lock (gate)
        {
            if (p.Completed) { Files++; Bytes += p.Total ?? p.Downloaded; }
            if (!io.IsInteractive)
            {
                if (p.Completed)
                    io.Err.WriteLine($"downloaded {p.File} ({FormatBytes(p.Total ?? p.Downloaded)}){(p.FileCount > 1 ? $" [{p.FileIndex + 1}/{p.FileCount}]" : "")}");
                return;
            }
            var ctx = EnsureStarted();
            string key = $"{p.FileIndex}:{p.File}";
            if (!tasks.TryGetValue(key, out var task))
                tasks[key] = task = ctx.AddTask(Markup.Escape(Describe(p)), maxValue: Math.Max(1, p.Total ?? 1));
            task.Value = p.Downloaded;
            if (p.Completed) task.StopTask();
        }
    }

    ProgressContext EnsureStarted()
    {
        if (context is not null) return context;
        finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = finished.Task;
        display = Task.Run(() => io.ProgressConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async c => { ready.SetResult(c); await done; }));
        return context = ready.Task.GetAwaiter().GetResult();
    }

    static string Describe(DownloadProgress p)
    {
        string name = p.File.Length > 40 ? "…" + p.File[^39..] : p.File;
        return p.FileCount > 1 ? $"[{p.FileIndex + 1}/{p.FileCount}] {name}" : name;
    }

    public static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1 << 20 => $"{bytes / 1024.0:F1} KiB",
        < 1 << 30 => $"{bytes / (double)(1 << 20):F1} MiB",
        _ => $"{bytes / (double)(1 << 30):F2} GiB",
    };

    public void Dispose()
    {
        Task? running;
        lock (gate)
        {
            finished?.TrySetResult();
            running = display;
        }
        running?.GetAwaiter().GetResult();
    }
}
