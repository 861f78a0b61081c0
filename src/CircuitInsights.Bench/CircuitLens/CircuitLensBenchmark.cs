using System.Diagnostics;
using CircuitInsights.Bench.Attribution;
using CircuitInsights.Bench.Forward;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.CircuitLens.Corpus;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Components;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Bench.CircuitLensBench;

/// <summary>Result of <see cref="CircuitLensBenchmark"/>.</summary>
public sealed record CircuitLensBenchResult
{
    /// <summary>Tokens and windows cached (all shards).</summary>
    public required long Tokens { get; init; }
    public required long Windows { get; init; }
    /// <summary>Cutting the corpus into windows (read + BPE), best of 3.</summary>
    public required double TokenizeTokensPerSecond { get; init; }
    public required BenchPhase[] CacheShards { get; init; }
    /// <summary>Tokens per second of wall time over all shard passes (final saves included).</summary>
    public required double CacheTokensPerSecond { get; init; }
    /// <summary>Tokens per second without the final sketch saves (and without the TWERA setup when it ran in the pass).</summary>
    public required double PassTokensPerSecond { get; init; }
    /// <summary>Mean time of one shard's final save of all layers' sketches.</summary>
    public required double SaveSeconds { get; init; }
    public BenchPhase? Merge { get; init; }
    public required BenchPhase Finalize { get; init; }
    public required CacheProbeResult Probe { get; init; }
    public required BenchPhase Attribution { get; init; }
    public required int Contexts { get; init; }
    public required double MeanPrefixLength { get; init; }
    public required double ContextsPerSecond { get; init; }
    public required double ClusterSecondsPerFeature { get; init; }
    public required WindowSharingResult Sharing { get; init; }
    /// <summary>RSS with the model and transcoder weights built (before any phase).</summary>
    public required long WeightsRssBytes { get; init; }
    public required CircuitLensProjection Projection { get; init; }
}

/// <summary>
/// CircuitLens benchmark (docs/performance.md "CircuitLens") at GPT-2-small shapes: 12 layers, d_model 768, vocab 50257,
/// random weights, random 24576-wide transcoders on every layer calibrated to ~50 active features per position, GPT-2 BPE
/// on the shipped Brown subset (<see cref="BenchCorpus"/>). Phases: (1) the <see cref="ActivationCacheBuilder"/> pass
/// over all layers, run as S shards one after the other and merged (<see cref="CacheMerger"/>), then
/// <see cref="CacheFinalizer"/>; (2) <see cref="ContextAnalyzer"/> (input- and output-centric attribution with head
/// contributions) on contexts sampled from that cache for a few features, one context per call; (3) a projection of
/// both to the full run (24M tokens; every feature × 100 contexts). Each phase reports wall and CPU seconds and its
/// peak RSS (VmHWM, reset at the phase start, weights included).
/// </summary>
public static class CircuitLensBenchmark
{
    public static readonly int[] ProjectedMachines = [1, 8, 32, 128];

    public static CircuitLensBenchResult Run(TextWriter log, CircuitLensBenchOptions o)
    {
        o.Validate();
        string work = o.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"ci-bench-circuitlens-{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (o.WorkDirectory is not null && Directory.Exists(work) && Directory.EnumerateFileSystemEntries(work).Any())
            throw new CircuitInsightsException($"{work}: the work directory is not empty (an old cache there would be resumed, not timed)");
        Directory.CreateDirectory(work);
        try { return RunIn(work, log, o); }
        finally
        {
            if (o.WorkDirectory is null)
                try { Directory.Delete(work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static CircuitLensBenchResult RunIn(string work, TextWriter log, CircuitLensBenchOptions o)
    {
        var spec = new DecoderSpec
        {
            Architecture = "gpt2", Layers = o.Layers, DModel = 768, Heads = 12, KvHeads = 12, HeadDim = 64, DMlp = 3072, Vocab = 50257,
            MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Mlp = MlpKind.Plain, Activation = ActivationKind.GeluTanh,
            Positions = PositionKind.Learned, AttentionScale = 0.125f,
        };
        int L = spec.Layers;
        var total = Stopwatch.StartNew();
        log.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {Tensors.ComputeSettings.Threads} threads, load average {LoadAverage()}");
        using var decoder = new DecoderModel(spec, Gpt2WeightMap.Load(Gpt2ForwardBenchmark.RandomGpt2(spec, o.Seed), spec));
        using var set = RandomTranscoders.Create(spec, o.TranscoderWidth, o.Seed);
        var tokenizer = Gpt2TokenizerFiles.Load();
        string corpus = BenchCorpus.Write(Path.Combine(work, "corpus"), o.Tokens);

        var windowOptions = new WindowOptions { ContextLength = o.ContextLength, MaxTokens = o.Tokens };
        List<TokenWindow> windows = [];
        double tokenizeSeconds = double.MaxValue;
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            windows = TokenWindows.Create(CorpusReader.Read(corpus), tokenizer, windowOptions).ToList();
            tokenizeSeconds = Math.Min(tokenizeSeconds, sw.Elapsed.TotalSeconds);
        }
        long corpusTokens = windows.Sum(w => (long)w.Tokens.Length);
        double tokenizeRate = corpusTokens / tokenizeSeconds;
        var full = windows.Where(w => w.Tokens.Length == o.ContextLength).Select(w => w.Tokens).ToList();
        if (full.Count == 0) throw new CircuitInsightsException($"bench circuitlens: the corpus yields no full {o.ContextLength}-token window");
        var biases = RandomTranscoders.Calibrate(decoder, set, full[0], o.ActivePerPosition);
        log.WriteLine($"built model + {L}×{o.TranscoderWidth} transcoders, calibrated biases ({biases.Min():F2} … {biases.Max():F2}); corpus {corpusTokens:N0} tokens in {windows.Count:N0} windows, tokenised at {tokenizeRate:N0} tokens/s; {total.Elapsed.TotalSeconds:F1} s");
        GC.Collect();
        long weightsRss = AttributionBenchmark.ReadStatus("VmRSS");

        // (1) cache pass, as S shards one after the other, merged, finalized
        var loaded = new TransformerModel { Decoder = decoder, Tokenizer = tokenizer, Directory = ModelDirectory.Resolve(work), ConfigPath = Path.Combine(work, "config.json") };
        var cacheOptions = new CacheOptions
        {
            Layers = Enumerable.Range(0, L).ToArray(), ContextLength = o.ContextLength, MaxTokens = o.Tokens, BatchSize = o.BatchSize,
            CheckpointWindows = 0, CoactivationPairs = o.CoactivationInPass ? o.CoactivationPairs : 0,
        };
        var shards = new List<BenchPhase>();
        var shardDirs = new List<string>();
        double saves = 0;
        long tokens = 0, cachedWindows = 0;
        for (int s = 0; s < o.Shards; s++)
        {
            string dir = Path.Combine(work, $"cache-{s}");
            var builder = new ActivationCacheBuilder(loaded, set, corpus, dir, cacheOptions with { ShardIndex = s, ShardCount = o.Shards });
            var progress = new PassProgress(log, $"shard {s}/{o.Shards}");
            var meter = PhaseMeter.Start($"cache shard {s}/{o.Shards}");
            var manifest = builder.Run(progress);
            double save = progress.SecondsSinceLast;
            var phase = meter.Stop();
            saves += save;
            (tokens, cachedWindows) = (tokens + manifest.Tokens, cachedWindows + manifest.Windows);
            shards.Add(phase);
            shardDirs.Add(dir);
            log.WriteLine($"{phase}; {manifest.Tokens:N0} tokens, {manifest.Windows:N0} windows, final save {save:F1} s");
        }
        double cacheSeconds = shards.Sum(p => p.Seconds);
        BenchPhase? merge = null;
        string finalDir = shardDirs[0];
        if (o.Shards > 1)
        {
            finalDir = Path.Combine(work, "cache-merged");
            var meter = PhaseMeter.Start($"merge of {o.Shards} shards");
            CacheMerger.Merge(shardDirs, finalDir);
            merge = meter.Stop();
            log.WriteLine(merge);
        }
        var fmeter = PhaseMeter.Start("finalize (sample contexts of every feature, store windows)");
        CacheFinalizer.Finalize(finalDir, tokenizer, new SamplingOptions());
        var finalize = fmeter.Stop();
        log.WriteLine(finalize);

        var probeWindows = full.Take(o.BatchSize).ToList();
        var probe = CachePassProbe.Run(decoder, set, probeWindows, tokenizer.EosTokenId ?? 0, o.CoactivationPairs);
        double pairs = L * (L - 1) / 2.0;
        double setupInPass = o.CoactivationInPass ? o.Shards * pairs * probe.CoactivationPairSeconds : 0;
        double passRate = tokens / Math.Max(1e-9, cacheSeconds - saves - setupInPass);
        double perToken = 1 / passRate;
        log.WriteLine($"cache pass: {tokens:N0} tokens over {L} layers in {cacheSeconds:F1} s = {tokens / cacheSeconds:F1} tokens/s ({passRate:F1} tokens/s without the {o.Shards} final saves{(o.CoactivationInPass ? " and TWERA setups" : "")}); "
            + $"{shards.Sum(p => p.CpuSeconds):F1} s CPU ({shards.Sum(p => p.KernelCpuSeconds):F1} s in the kernel); peak RSS {shards.Max(p => p.PeakRssBytes) / GiB:F2} GiB (weights alone {weightsRss / GiB:F2} GiB)");
        double cpuPerToken = shards.Sum(p => p.CpuSeconds) / tokens;
        log.WriteLine($"  breakdown (one probe batch of {probeWindows.Count}×{o.ContextLength}, as shares of the pass's wall | CPU time per token): "
            + $"model forward {probe.ForwardSeconds / probe.Rows / perToken:P0} | {probe.ForwardCpuSeconds / probe.Rows / cpuPerToken:P0} (its GEMMs {probe.ForwardGemmSeconds / probe.Rows / perToken:P0} of wall), "
            + $"transcoders (encoder GEMM, activation, sparsify, reconstruct) {(probe.ReplacementSeconds - probe.ForwardSeconds) / probe.Rows / perToken:P0} | {(probe.ReplacementCpuSeconds - probe.ForwardCpuSeconds) / probe.Rows / cpuPerToken:P0}, "
            + $"rest (sketches, tokenising, GC and page faults, load) {1 - probe.ReplacementSeconds / probe.Rows / perToken:P0} | {1 - probe.ReplacementCpuSeconds / probe.Rows / cpuPerToken:P0}; "
            + $"{probe.MeanActivePerPosition:F1} active features per position and layer");
        if (o.CoactivationPairs > 0)
            log.WriteLine($"  TWERA ({o.CoactivationPairs} pairs): candidates of one layer pair {probe.CoactivationPairSeconds:F1} s ({2.0 * o.TranscoderWidth * o.TranscoderWidth * spec.DModel / probe.CoactivationPairSeconds / 1e9:F1} GFLOP/s) "
                + $"→ {Duration(pairs * probe.CoactivationPairSeconds)} per shard for {pairs:F0} pairs; accumulation {probe.CoactivationSecondsPerRow * (L - 1) * 1e6:F1} µs per token over {L - 1} target layers"
                + (o.CoactivationInPass ? " (both inside the timed pass)" : " (not in the timed pass; added to the projection)"));

        // (2) CircuitLens attribution of sampled contexts
        var cache = new ActivationCache(finalDir);
        var lensOptions = new CircuitLensOptions();
        var rm = new ReplacementModel(decoder, set);
        var analyzer = new ContextAnalyzer(rm, tokenizer, lensOptions);
        var picks = PickContexts(cache, o, L, set.Width);
        var first = picks[0];
        analyzer.Analyze(first.Contexts[0].Window, cache.Window(first.Contexts[0].Window), [new ContextTarget(first.Layer, first.Feature, first.Contexts[0].Position, first.Contexts[0].Activation)]); // warm-up
        var results = picks.Select(_ => new List<ContextAnalysis>()).ToArray();
        long prefix = 0;
        var ameter = PhaseMeter.Start("CircuitLens attribution");
        for (int i = 0; i < picks.Count; i++)
            foreach (var c in picks[i].Contexts)
            {
                var window = cache.Window(c.Window);
                results[i].AddRange(analyzer.Analyze(c.Window, window, [new ContextTarget(picks[i].Layer, picks[i].Feature, c.Position, c.Activation)]));
                prefix += Math.Min(window.Length, c.Position + 1 + lensOptions.OutputTokens);
            }
        var attribution = ameter.Stop();
        int contexts = picks.Sum(p => p.Contexts.Length);
        var sw2 = Stopwatch.StartNew();
        for (int i = 0; i < picks.Count; i++) new FeatureCircuitAnalyzer(tokenizer, lensOptions).Analyze(picks[i].Layer, picks[i].Feature, results[i]);
        double cluster = sw2.Elapsed.TotalSeconds / picks.Count;
        double cps = contexts / attribution.Seconds;
        log.WriteLine($"{attribution}; {contexts} contexts of {picks.Count} features ({string.Join(", ", picks.Select(p => $"L{p.Layer}/F{p.Feature}"))}), mean prefix {prefix / (double)contexts:F1} tokens: "
            + $"{cps:F3} contexts/s ({attribution.Seconds / contexts:F2} s per context); clustering + report {cluster * 1000:F1} ms per feature");
        var sharing = WindowSharingProbe.Run(rm, analyzer, full[Math.Min(1, full.Count - 1)], [1, 16, 64], o.Seed);
        log.WriteLine($"one {sharing.Positions}-token window analysed with k feature targets at random active positions: "
            + string.Join(", ", sharing.TargetCounts.Zip(sharing.Seconds, (k, t) => $"k = {k}: {t:F2} s"))
            + $" → {sharing.PerWindowSeconds:F2} s per window + {sharing.PerTargetSeconds:F3} s per target");

        // (3) projection
        var projection = new CircuitLensProjection
        {
            ContextLength = o.ContextLength, PassTokensPerSecond = passRate, TokenizeTokensPerSecond = tokenizeRate, SaveSeconds = saves / o.Shards,
            CoactivationSetupSeconds = pairs * probe.CoactivationPairSeconds, CoactivationSecondsPerToken = o.CoactivationInPass ? 0 : probe.CoactivationSecondsPerRow * (L - 1),
            MergeSecondsPerShard = merge is null ? 0 : merge.Seconds / o.Shards, FinalizeFixedSeconds = Math.Max(0, finalize.Seconds - corpusTokens / tokenizeRate),
            Features = (long)L * set.Width, ContextsPerSecond = cps, ClusterSecondsPerFeature = cluster,
            SharedWindowSeconds = sharing.PerWindowSeconds, SharedTargetSeconds = sharing.PerTargetSeconds,
        };
        projection.Write(log, ProjectedMachines);
        log.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s; load average {LoadAverage()}");
        return new CircuitLensBenchResult
        {
            Tokens = tokens, Windows = cachedWindows, TokenizeTokensPerSecond = tokenizeRate, CacheShards = shards.ToArray(), CacheTokensPerSecond = tokens / cacheSeconds,
            PassTokensPerSecond = passRate, SaveSeconds = saves / o.Shards, Merge = merge, Finalize = finalize, Probe = probe, Attribution = attribution,
            Contexts = contexts, MeanPrefixLength = prefix / (double)contexts, ContextsPerSecond = cps, ClusterSecondsPerFeature = cluster,
            Sharing = sharing, WeightsRssBytes = weightsRss, Projection = projection,
        };
    }

    const double GiB = 1L << 30;

    static string Duration(double s) => CircuitLensProjection.Duration(s);

    /// <summary>Features spread over the layers (seeded choice among those with enough samples) and evenly spaced samples of each.</summary>
    static List<(int Layer, int Feature, SampledContext[] Contexts)> PickContexts(ActivationCache cache, CircuitLensBenchOptions o, int layers, int width)
    {
        var rng = new Random(o.Seed);
        int n = Math.Min(o.Features, o.Contexts);
        var picks = new List<(int, int, SampledContext[])>();
        for (int i = 0; i < n; i++)
        {
            int layer = n == 1 ? layers / 2 : (int)Math.Round(i * (layers - 1) / (double)(n - 1));
            int want = o.Contexts / n + (i < o.Contexts % n ? 1 : 0);
            var candidates = Enumerable.Range(0, width).Where(f => cache.Samples(layer, f).Length >= want).ToArray();
            if (candidates.Length == 0)
                throw new CircuitInsightsException($"bench circuitlens: no feature of layer {layer} has {want} sampled contexts; cache more --tokens or attribute fewer --contexts");
            int feature = candidates[rng.Next(candidates.Length)];
            var samples = cache.Samples(layer, feature);
            picks.Add((layer, feature, Enumerable.Range(0, want).Select(k => samples[(int)((long)k * samples.Length / want)]).ToArray()));
        }
        return picks;
    }

    static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>Synchronous progress (so the time since the last batch is the final save) with a line every 30 s.</summary>
    sealed class PassProgress(TextWriter log, string name) : IProgress<CacheProgress>
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        TimeSpan _last, _logged;

        public double SecondsSinceLast => (_clock.Elapsed - _last).TotalSeconds;

        public void Report(CacheProgress p)
        {
            _last = _clock.Elapsed;
            if (_last - _logged < TimeSpan.FromSeconds(30)) return;
            _logged = _last;
            log.WriteLine($"  {name}: {p.Windows:N0} windows, {p.Tokens:N0} tokens after {_last.TotalSeconds:F0} s ({p.Tokens / _last.TotalSeconds:F1} tokens/s)");
        }
    }
}
