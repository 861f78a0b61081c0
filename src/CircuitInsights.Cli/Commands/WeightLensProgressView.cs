using System.Diagnostics;
using CircuitInsights.Cli.Common;
using CircuitInsights.WeightLens.Run;
using Spectre.Console;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// Shows <see cref="WeightLensProgress"/> on stderr: a Spectre.Console progress bar per phase with elapsed time and ETA
/// on a terminal; otherwise a plain line per phase step of 10 % (so logs stay short and stdout stays clean).
/// </summary>
internal static class WeightLensProgressView
{
    public static T Run<T>(CliIO io, Func<IProgress<WeightLensProgress>, Action<string>, T> work)
    {
        if (!io.IsInteractive)
        {
            var plain = new PlainProgress(io.Err);
            return work(plain, io.Note);
        }
        T result = default!;
        io.ProgressConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Progress(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(p.Phase, out var task)) tasks[p.Phase] = task = ctx.AddTask(p.Phase, maxValue: Math.Max(1, p.Total));
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = Math.Min(p.Done, task.MaxValue);
                        task.Description = p.Detail is null ? p.Phase : $"{p.Phase} ({Markup.Escape(p.Detail)})";
                    }
                });
                result = work(progress, message => ctx.Refresh());
            });
        return result;
    }

    sealed class Progress(Action<WeightLensProgress> report) : IProgress<WeightLensProgress>
    {
        public void Report(WeightLensProgress value) => report(value);
    }

    sealed class PlainProgress(TextWriter err) : IProgress<WeightLensProgress>
    {
        readonly Dictionary<string, int> _lastDecile = new();
        readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(WeightLensProgress p)
        {
            int decile = p.Total <= 0 ? 10 : (int)Math.Floor(10 * p.Done / p.Total);
            string key = p.Phase + "/" + p.Detail;
            lock (_lastDecile)
            {
                if (_lastDecile.TryGetValue(key, out int last) && decile <= last) return;
                _lastDecile[key] = decile;
            }
            err.WriteLine($"[{_clock.Elapsed:hh\\:mm\\:ss}] {p.Phase}{(p.Detail is null ? "" : $" ({p.Detail})")}: {Math.Min(100, decile * 10)}%");
        }
    }
}
