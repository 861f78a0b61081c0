using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Attribution.Graphs.Export;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Demo;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Explainers;
using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Storage.Import;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;
using CircuitInsights.WeightLens;
using CircuitInsights.WeightLens.Run;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>demo</c>: the main job on the built-in demo model (planted ground truth): generate or reuse the model, describe every
/// feature with WeightLens, cache the demo corpus, run CircuitLens on the planted and some background features, build the
/// attribution graph of the planted graph prompt, import everything into a feature store, and report what each method
/// found next to the truth (also written to <c>groundtruth.json</c>).
/// </summary>
public static class DemoCommand
{
    /// <summary>Pruning of the demo graph: the planted river → bank edge carries ~1 % of the influence on the top logit
    /// (its direct token path dominates), so the demo keeps 99 % of the node influence instead of circuit-tracer's 80 %.</summary>
    const float GraphNodeThreshold = 0.99f, GraphEdgeThreshold = 0.98f;

    /// <summary>The demo's outputs besides those of <see cref="GroundTruthReport"/>; all are removed when settings change.</summary>
    const string CacheDir = "cache", DescriptionsFile = "descriptions.jsonl", StoreFile = "store.sqlite";
    static readonly string[] OutputDirs = [CacheDir, GroundTruthReport.CircuitLensDir, GroundTruthReport.WeightLensDir];
    static readonly string[] OutputFiles = [GroundTruthReport.GraphFile, GroundTruthReport.FileName, DescriptionsFile, StoreFile];

    public static Command Create(CliIO io)
    {
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default: ./demo-run)." };
        var modelDir = new Option<string?>("--model-dir") { Description = "Where the demo model is generated or reused (default: ~/.cache/circuit-insights/demo-v2-<seed>)." };
        var maxTokens = new Option<long>("--max-tokens") { DefaultValueFactory = _ => 60_000, Description = "Corpus tokens to cache." };
        var background = new Option<int>("--background-features") { DefaultValueFactory = _ => 6, Description = "Background features per layer analysed by CircuitLens besides the planted ones." };
        var cmd = new Command("demo", "Run the whole pipeline (WeightLens, activation cache, CircuitLens, attribution graph, feature store) on the built-in demo model with planted circuits and score every method against the ground truth (no download; about a minute on 2 cores).");
        cmd.Options.Add(output); cmd.Options.Add(modelDir); cmd.Options.Add(maxTokens); cmd.Options.Add(background);
        cmd.SetAction(pr =>
        {
            if (pr.GetValue(maxTokens) < 1000) throw new CircuitInsightsException("--max-tokens must be at least 1000");
            if (pr.GetValue(background) < 0) throw new CircuitInsightsException("--background-features must be ≥ 0");
            return Run(pr.GetValue(output) ?? "demo-run", pr.GetValue(modelDir) ?? DemoModelGenerator.DefaultDirectory(), pr.GetValue(maxTokens), pr.GetValue(background), io);
        });
        return cmd;
    }

    static int Run(string runDir, string demoDir, long maxTokens, int background, CliIO io)
    {
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var manifest = DemoModelGenerator.EnsureGenerated(demoDir);
        string modelPath = Path.Combine(demoDir, manifest.ModelDir), transcoderPath = Path.Combine(demoDir, manifest.TranscodersDir);
        io.Note($"[1/6] demo model ready in {demoDir} ({sw.Elapsed.TotalSeconds:F1} s)");
        using var model = ModelLoader.Load(modelPath);
        using var set = TranscoderLoaders.Load(transcoderPath);
        var replacement = new ReplacementModel(model.Decoder, set);
        StartOrResume(runDir, JsonSerializer.Serialize(new
        {
            model_dir = Path.GetFullPath(demoDir), model = model.Name, max_tokens = maxTokens, background_features = background,
            tool = typeof(DemoCommand).Assembly.GetName().Version?.ToString(),
        }), io);

        sw.Restart();
        string wlDir = Path.Combine(runDir, GroundTruthReport.WeightLensDir), clDir = Path.Combine(runDir, GroundTruthReport.CircuitLensDir);
        var lens = new WeightLensModel(model.Decoder, model.Tokenizer, set, model.Name);
        var wl = WeightLensProgressView.Run(io, (progress, log) => new WeightLensJob
        {
            Model = lens, Options = new WeightLensOptions(), Selection = FeatureSelection.All, OutputDirectory = wlDir, Restart = true, Progress = progress, Log = log,
        }.Run());
        io.Note($"[2/6] WeightLens described {wl.Features:N0} features ({wl.Validated:N0} validated) in {sw.Elapsed.TotalSeconds:F1} s");

        sw.Restart();
        string cacheDir = Path.Combine(runDir, CacheDir);
        var options = new CacheOptions { Layers = set.Layers.ToArray(), ContextLength = 64, MaxTokens = maxTokens, BatchSize = 16 };
        var builder = new ActivationCacheBuilder(model, set, Path.Combine(demoDir, manifest.CorpusDir), cacheDir, options);
        var cacheManifest = ProgressReporter.Run(io, "[3/6] caching the demo corpus", maxTokens, h =>
            builder.Run(new Progress<CacheProgress>(p => h.Update(p.Tokens))));
        if (cacheManifest.Status != "finalized") cacheManifest = CacheFinalizer.Finalize(cacheDir, model.Tokenizer, new SamplingOptions());
        io.Note($"[3/6] cached {cacheManifest.Tokens:N0} tokens ({cacheManifest.Windows:N0} windows) in {sw.Elapsed.TotalSeconds:F1} s");

        sw.Restart();
        var cache = new ActivationCache(cacheDir);
        var features = manifest.Features.Select(f => new FeatureId(f.Layer, f.Index)).ToList();
        var rng = new Random(5);
        foreach (int l in set.Layers)
        {
            var s = cache.Sketches(l);
            var planted = manifest.Features.Where(f => f.Layer == l).Select(f => f.Index).ToHashSet();
            features.AddRange(Enumerable.Range(0, s.Features).Where(f => s.WindowCount[f] >= 10 && !planted.Contains(f)).OrderBy(_ => rng.Next()).Take(background).Select(f => new FeatureId(l, f)));
        }
        var runner = new CircuitLensRunner(replacement, model.Tokenizer, cache, new CircuitLensOptions());
        ProgressReporter.Run(io, "[4/6] CircuitLens", features.Count, h =>
            runner.Run(features, clDir, new Progress<(int Done, int Total, FeatureId Feature)>(p => h.Update(p.Done, p.Feature.ToString()))));
        io.Note($"[4/6] CircuitLens on {features.Count} features in {sw.Elapsed.TotalSeconds:F1} s");

        sw.Restart();
        string graphPath = Path.Combine(runDir, GroundTruthReport.GraphFile);
        if (manifest.GraphPrompts.Count > 0)
        {
            var prompt = manifest.GraphPrompts[0];
            var tokens = model.Encode(prompt.Prompt, prependBos: true);
            AttributionGraph graph = null!;
            AttributeCommand.WithProgress(io, report => graph = new AttributionGraphBuilder(replacement, model.Tokenizer, model.Name).Build(tokens, new GraphBuildOptions(), prompt.Prompt, report));
            var prune = GraphPruner.Prune(graph, GraphNodeThreshold, GraphEdgeThreshold);
            var scores = GraphScores.Compute(graph, prune.NodeInfluence);
            NeuronpediaExporter.Write(graphPath, NeuronpediaExporter.Create(graph, prune, scores, "demo-river-bank", model.Name));
            io.Note($"[5/6] attribution graph of \"{prompt.Prompt}\" ({graph.NodeCount} nodes; replacement score {scores.Replacement:F3}) in {sw.Elapsed.TotalSeconds:F1} s");
        }

        sw.Restart();
        string descriptions = Path.Combine(runDir, DescriptionsFile);
        var weightLens = WeightLensDescriptions.Load(wlDir, set.Layers);
        var describer = new CircuitDescriber();
        var described = describer.DescribeAllAsync(features, weightLens, clDir).GetAwaiter().GetResult();
        CircuitDescriber.WriteJsonl(descriptions, described);

        string db = Path.Combine(runDir, StoreFile);
        if (File.Exists(db)) File.Delete(db); // derived from the folders above: rebuilt on every run
        var imported = StoreImporter.Import(db, new ImportOptions
        {
            CacheDir = cacheDir, CircuitLensDir = clDir, WeightLensDir = wlDir,
            Graphs = File.Exists(graphPath) ? [graphPath] : [], Descriptions = [descriptions], Model = replacement, Tokenizer = model.Tokenizer, ModelName = model.Name,
        });
        io.Note($"[6/6] {described.Count} WL+CL descriptions; feature store {db} ({imported}) in {sw.Elapsed.TotalSeconds:F1} s");

        var report = GroundTruthReport.ScoreRun(manifest, runDir);
        report.Write(Path.Combine(runDir, GroundTruthReport.FileName));
        io.Out.WriteLine();
        report.Print(io.Out);
        io.Out.WriteLine();
        io.Out.WriteLine($"Done in {total.Elapsed.TotalSeconds:F0} s. Outputs in {Path.GetFullPath(runDir)} (scores: {GroundTruthReport.FileName}).");
        io.Out.WriteLine($"Explore them: circuit-insights serve --run {runDir} --model {modelPath} --transcoders {transcoderPath}");
        return ExitCodes.Ok;
    }

    /// <summary>A rerun with the same settings resumes (finished steps are reused); with other settings the run folder's
    /// derived outputs are removed first, since the cache and CircuitLens refuse to mix settings.</summary>
    static void StartOrResume(string runDir, string settings, CliIO io)
    {
        string path = Path.Combine(runDir, "demo-settings.json");
        bool known = File.Exists(path) && File.ReadAllText(path) == settings;
        bool hasOutputs = OutputDirs.Any(d => Directory.Exists(Path.Combine(runDir, d)));
        if (!known && hasOutputs)
        {
            // only the demo's own outputs are removed: the folder may hold other files
            io.Note($"{runDir}: demo outputs made with other settings or another version; starting over");
            foreach (var dir in OutputDirs)
                if (Directory.Exists(Path.Combine(runDir, dir))) Directory.Delete(Path.Combine(runDir, dir), true);
            foreach (var file in OutputFiles)
                File.Delete(Path.Combine(runDir, file));
        }
        Directory.CreateDirectory(runDir);
        AtomicFile.WriteAllText(path, settings);
    }
}
