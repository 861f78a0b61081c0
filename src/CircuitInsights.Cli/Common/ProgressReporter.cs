using Spectre.Console;

namespace CircuitInsights.Cli.Common;

/// <summary>
/// Progress for long work: a Spectre.Console progress bar (with ETA) when stderr is a terminal, otherwise a plain line on
/// stderr at most every few seconds (CI logs stay readable).
/// </summary>
public static class ProgressReporter
{
    public sealed class Handle(Action<double, string?> update)
    {
        /// <summary>Sets the current value (out of the total given to <see cref="Run{T}"/>) and an optional status text.</summary>
        public void Update(double value, string? status = null) => update(value, status);
    }

    public static T Run<T>(CliIO io, string title, double total, Func<Handle, T> work)
    {
        if (io.IsInteractive)
        {
            T result = default!;
            io.ProgressConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1e-9));
                    result = work(new Handle((v, s) =>
                    {
                        task.Value = Math.Min(v, task.MaxValue);
                        if (s is not null) task.Description = Markup.Escape($"{title}: {s}");
                    }));
                    task.Value = task.MaxValue;
                });
            return result;
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var r = work(new Handle((v, s) =>
        {
            if (sw.Elapsed - last < TimeSpan.FromSeconds(10)) return;
            last = sw.Elapsed;
            double frac = total > 0 ? v / total : 0;
            string eta = frac > 0.01 ? $", ~{TimeSpan.FromSeconds(sw.Elapsed.TotalSeconds * (1 - frac) / frac):hh\\:mm\\:ss} left" : "";
            io.Note($"{title}: {100 * frac:F0}%{eta}{(s is null ? "" : $" ({s})")}");
        }));
        io.Note($"{title}: done in {sw.Elapsed.TotalSeconds:F1} s");
        return r;
    }
}
