using System.Diagnostics;
using CircuitInsights.Attribution;
using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Bench.Forward;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Bench.Attribution;

/// <summary>Result of <see cref="AttributionBenchmark"/>.</summary>
public sealed record AttributionBenchResult(int Positions, int ActiveFeatures, int FeatureNodes, int Nodes, double[] PhaseSeconds,
    double BuildSeconds, double BuildCpuSeconds, double PruneSeconds, long EstimateBytes, long PeakRssBytes, long WeightsRssBytes, int KeptNodes, double Replacement, double Completeness);

/// <summary>
/// Attribution-graph benchmark (docs/performance.md "Attribution"): a GPT-2-small-shaped model (12 layers, d_model 768,
/// vocab 50257, random weights) with random 24576-wide transcoders calibrated to ~50 active features per position, on a
/// random prompt: time of every build phase, pruning, and peak resident memory (VmHWM of /proc/self/status). Run one
/// configuration per process so that the peak belongs to it.
/// </summary>
public static class AttributionBenchmark
{
    public static AttributionBenchResult Run(TextWriter log, AttributionBenchOptions o)
    {
        if (o.Positions < 2 || o.Positions > 1024) throw new CircuitInsightsException("bench attribution: positions must be in [2, 1024]");
        var spec = new DecoderSpec
        {
            Architecture = "gpt2", Layers = 12, DModel = 768, Heads = 12, KvHeads = 12, HeadDim = 64, DMlp = 3072, Vocab = 50257,
            MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Learned, AttentionScale = 0.125f,
        };
        var total = Stopwatch.StartNew();
        log.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {Tensors.ComputeSettings.Threads} threads");
        using var model = new DecoderModel(spec, Gpt2WeightMap.Load(Gpt2ForwardBenchmark.RandomGpt2(spec, o.Seed), spec));
        using var set = RandomTranscoders.Create(spec, o.TranscoderWidth, o.Seed);
        var rng = new Random(o.Seed);
        int[] tokens = [50256, .. Enumerable.Range(0, o.Positions - 1).Select(_ => rng.Next(50000))];
        var biases = RandomTranscoders.Calibrate(model, set, tokens, o.ActivePerPosition);
        log.WriteLine($"built model + {spec.Layers}×{o.TranscoderWidth} transcoders, calibrated biases ({biases.Min():F2} … {biases.Max():F2}) in {total.Elapsed.TotalSeconds:F1} s");
        GC.Collect();
        long weightsRss = ReadStatus("VmRSS");
        bool reset = ResetPeak(); // from here VmHWM is the peak of the graph work (weights included)
        var rm = new ReplacementModel(model, set);

        int? maxFeatures = o.MaxFeatureNodes;
        var options = new GraphBuildOptions { MaxFeatureNodes = maxFeatures, BatchSize = o.BatchSize, MemoryBudgetBytes = o.MemoryBudgetBytes };
        if (o.FitToBudget)
        {
            var run = rm.Run(TokenBatch.Single(tokens), new ReplacementOptions { Logits = LogitsMode.None });
            int nf = run.Layers.Values.Sum(lr => lr.Active.TotalActive);
            maxFeatures = GraphMemoryEstimate.LargestFeatureCount(spec, set.Width, tokens.Length, nf, nf, options.MaxLogits, nf, options);
            log.WriteLine($"{nf} active features; largest feature-node count within {GraphMemoryEstimate.Size(o.MemoryBudgetBytes)}: {maxFeatures}");
            if (maxFeatures < 1) throw new CircuitInsightsException("bench attribution: not even one feature node fits the budget");
            options = options with { MaxFeatureNodes = maxFeatures };
        }

        var builder = new AttributionGraphBuilder(rm, modelName: "gpt2-small-shaped (random)");
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var last = TimeSpan.Zero;
        var graph = builder.Build(tokens, options, "", p =>
        {
            if (p.Finished) { log.WriteLine($"  {p}"); return; }
            if (sw.Elapsed - last < TimeSpan.FromSeconds(30)) return;
            last = sw.Elapsed;
            log.WriteLine($"  phase {p.Phase}: {p.Done}/{p.Total} after {sw.Elapsed.TotalSeconds:F0} s");
        });
        double build = sw.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        long peakBuild = ReadStatus("VmHWM");
        log.WriteLine($"graph: {graph.NodeCount} nodes ({graph.FeatureCount} of {graph.Info.ActiveFeatureCount} features), adjacency {GraphMemoryEstimate.Size(graph.Adjacency.StoredBytes)}, estimate {GraphMemoryEstimate.Size(graph.Info.MemoryEstimateBytes)}; built in {build:F1} s wall, {cpu:F1} s CPU ({cpu / build:F2} cores busy on average; load average {LoadAverage()})");

        sw.Restart();
        var prune = GraphPruner.Prune(graph);
        var scores = GraphScores.Compute(graph, prune.NodeInfluence);
        double pruneSeconds = sw.Elapsed.TotalSeconds;
        long peak = ReadStatus("VmHWM");
        log.WriteLine($"pruned in {pruneSeconds:F1} s: kept {prune.KeptNodeCount} nodes; replacement {scores.Replacement:F3}, completeness {scores.Completeness:F3}");
        log.WriteLine($"peak RSS (VmHWM{(reset ? ", reset after the weights were built" : ", whole process")}) {GraphMemoryEstimate.Size(peak)} (after build {GraphMemoryEstimate.Size(peakBuild)}); RSS with weights only {GraphMemoryEstimate.Size(weightsRss)}; graph work above the weights {GraphMemoryEstimate.Size(peak - weightsRss)}; total {total.Elapsed.TotalSeconds:F0} s");
        return new AttributionBenchResult(tokens.Length, graph.Info.ActiveFeatureCount, graph.FeatureCount, graph.NodeCount, graph.Info.PhaseSeconds,
            build, cpu, pruneSeconds, graph.Info.MemoryEstimateBytes, peak, weightsRss, prune.KeptNodeCount, scores.Replacement, scores.Completeness);
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: "5" to /proc/self/clear_refs); false where unsupported.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>A "Vm…" field of /proc/self/status in bytes (0 where unavailable).</summary>
    public static long ReadStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}
