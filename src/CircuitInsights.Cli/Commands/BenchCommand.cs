using System.CommandLine;
using CircuitInsights.Bench.Attribution;
using CircuitInsights.Bench.CircuitLensBench;
using CircuitInsights.Bench.Forward;
using CircuitInsights.Bench.Models;
using CircuitInsights.Bench;
using CircuitInsights.Cli.Common;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>bench</c>: benchmarks (not tests). Each reports ratios measured in the same run; see docs/performance.md.</summary>
public static class BenchCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("bench", "Benchmarks: gemm, forward, models, attribution, circuitlens (results in docs/performance.md).");

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

        var models = new Command("models", "Gemma-2-2B- and Llama-3.2-1B-shaped random bf16 checkpoints (real shapes, sharded safetensors, memory-mapped): tokens/s, % of the GEMM roofline, peak RSS.");
        var which = new Option<string[]>("--model") { Description = "gemma-2-2b and/or llama-3.2-1b (default both).", AllowMultipleArgumentsPerToken = true };
        var work = new Option<string?>("--work-dir") { Description = "Where the random checkpoints are written (≈ 8 GB)." };
        var keep = new Option<bool>("--keep") { Description = "Keep (and reuse) the generated checkpoints." };
        var small = new Option<bool>("--small-only") { Description = "Only the 1×128 shape." };
        models.Options.Add(which); models.Options.Add(work); models.Options.Add(keep); models.Options.Add(small);
        models.SetAction(pr =>
        {
            var o = new ModelBenchOptions { WorkDirectory = pr.GetValue(work), KeepFiles = pr.GetValue(keep) };
            if (pr.GetValue(which) is { Length: > 0 } m) o = o with { Models = m };
            if (pr.GetValue(small)) o = o with { Shapes = [(1, 128)] };
            ModelForwardBenchmark.Run(io.Out, o);
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(models);
        cmd.Subcommands.Add(Attribution(io));
        cmd.Subcommands.Add(CircuitLens(io));
        return cmd;
    }

    static Command Attribution(CliIO io)
    {
        var cmd = new Command("attribution", "Attribution graph of a random prompt on a GPT-2-small-shaped model with random 24576-wide transcoders (~50 active per position): phase times and peak RSS. Run one configuration per process.");
        var positions = new Option<int>("--positions") { DefaultValueFactory = _ => 64, Description = "Prompt length (BOS included)." };
        var maxFeatures = new Option<string>("--max-feature-nodes") { DefaultValueFactory = _ => "all", Description = "A number, 'all', or 'fit' (the most that fit --memory-budget)." };
        var budget = new Option<string>("--memory-budget") { DefaultValueFactory = _ => "8G" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 256 };
        var active = new Option<int>("--active") { DefaultValueFactory = _ => 50, Description = "Mean active features per position." };
        foreach (var o in new Option[] { positions, maxFeatures, budget, batch, active }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            string mf = pr.GetValue(maxFeatures)!;
            bool fit = mf.Equals("fit", StringComparison.OrdinalIgnoreCase);
            int? max = fit || mf.Equals("all", StringComparison.OrdinalIgnoreCase) ? null
                : int.TryParse(mf, out int n) && n > 0 ? n : throw new CircuitInsightsException($"--max-feature-nodes: '{mf}' is not a positive number, 'all' or 'fit'");
            AttributionBenchmark.Run(io.Out, new AttributionBenchOptions
            {
                Positions = pr.GetValue(positions), MaxFeatureNodes = max, FitToBudget = fit, MemoryBudgetBytes = ByteSize.Parse(pr.GetValue(budget)!, "--memory-budget"),
                BatchSize = pr.GetValue(batch), ActivePerPosition = pr.GetValue(active),
            });
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static Command CircuitLens(CliIO io)
    {
        var cmd = new Command("circuitlens", "CircuitLens at GPT-2-small shapes (random weights, random 24576-wide transcoders on all 12 layers, ~50 active per position, Brown text): cache-pass tokens/s, merge and finalize times, attribution contexts/s, peak RSS per phase, and the projection to 24M tokens on 1-128 machines.");
        var tokens = new Option<long>("--tokens") { DefaultValueFactory = _ => 20_000, Description = "Tokens to cache (context length 128, batch 16)." };
        var contexts = new Option<int>("--contexts") { DefaultValueFactory = _ => 40, Description = "Sampled contexts to attribute." };
        var features = new Option<int>("--features") { DefaultValueFactory = _ => 4, Description = "Features (spread over the layers) whose contexts are attributed." };
        var shards = new Option<int>("--shards") { DefaultValueFactory = _ => 2, Description = "Run the cache pass as this many shards in turn and time their merge." };
        var coact = new Option<bool>("--coactivation-in-pass") { Description = "Track TWERA co-activation in the timed pass (its setup is 66 K×K GEMMs per shard: long)." };
        var work = new Option<string?>("--work-dir") { Description = "Empty folder for the corpus and caches (≈ 1.2 GB per shard; default: a temporary folder, deleted)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        foreach (var o in new Option[] { tokens, contexts, features, shards, coact, work, seed }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            CircuitLensBenchmark.Run(io.Out, new CircuitLensBenchOptions
            {
                Tokens = pr.GetValue(tokens), Contexts = pr.GetValue(contexts), Features = pr.GetValue(features), Shards = pr.GetValue(shards),
                CoactivationInPass = pr.GetValue(coact), WorkDirectory = pr.GetValue(work), Seed = pr.GetValue(seed),
            });
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
