using System.CommandLine;
using CircuitInsights.Bench.Forward;
using CircuitInsights.Bench;
using CircuitInsights.Cli.Common;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>bench</c>: benchmarks (not tests). Each reports ratios measured in the same run; see docs/performance.md.</summary>
public static class BenchCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("bench", "Benchmarks: gemm, forward (results in docs/performance.md).");

        var gemm = new Command("gemm", "GEMM GFLOP/s for the transcoder/model shapes at 1 and 2 threads, as % of the measured FMA peak, vs the naive kernel and OpenBLAS (when installed).");
        var reps = new Option<int>("--repetitions") { DefaultValueFactory = _ => 3, Description = "Best of this many timed runs." };
        var quick = new Option<bool>("--quick") { Description = "Smaller row counts (M/8) for a fast look." };
        gemm.Options.Add(reps); gemm.Options.Add(quick);
        gemm.SetAction(pr =>
        {
            GemmBenchmark.Run(io.Out, new GemmBenchOptions { Repetitions = pr.GetValue(reps), RowDivisor = pr.GetValue(quick) ? 8 : 1 });
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(gemm);

        var forward = new Command("forward", "GPT-2-small-shaped forward pass (random weights, real shapes): tokens/s at batch 8×128 and the share of time in GEMM.");
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 8 };
        var positions = new Option<int>("--positions") { DefaultValueFactory = _ => 128 };
        forward.Options.Add(batch); forward.Options.Add(positions);
        forward.SetAction(pr =>
        {
            Gpt2ForwardBenchmark.Run(io.Out, pr.GetValue(batch), pr.GetValue(positions));
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(forward);
        return cmd;
    }
}
