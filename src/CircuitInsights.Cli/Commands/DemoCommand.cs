using System.CommandLine;
using System.Diagnostics;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>demo</c>: the main job on the built-in demo model (planted ground truth): generate or reuse the model, cache the demo
/// corpus, run CircuitLens on the planted and some background features, and report what each method found against the truth.
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliIO io)
    {
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default: ./demo-run)." };
        var modelDir = new Option<string?>("--model-dir") { Description = "Where the demo model is generated or reused (default: ~/.cache/circuit-insights/demo-v1-<seed>)." };
        var maxTokens = new Option<long>("--max-tokens") { DefaultValueFactory = _ => 60_000, Description = "Corpus tokens to cache." };
        var background = new Option<int>("--background-features") { DefaultValueFactory = _ => 6, Description = "Background features per layer analysed by CircuitLens besides the planted ones." };
        var cmd = new Command("demo", "Run the whole pipeline on the built-in demo model with planted circuits and score every method against the ground truth (no download, ~1-2 minutes).");
        cmd.Options.Add(output); cmd.Options.Add(modelDir); cmd.Options.Add(maxTokens); cmd.Options.Add(background);
        cmd.SetAction(pr => Run(pr.GetValue(output) ?? "demo-run", pr.GetValue(modelDir) ?? DemoModelGenerator.DefaultDirectory(), pr.GetValue(maxTokens), pr.GetValue(background), io));
        return cmd;
    }

    static int Run(string runDir, string demoDir, long maxTokens, int background, CliIO io)
    {
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var manifest = DemoModelGenerator.EnsureGenerated(demoDir);
        io.Note($"[1/4] demo model ready in {demoDir} ({sw.Elapsed.TotalSeconds:F1} s)");
        using var model = ModelLoader.Load(Path.Combine(demoDir, manifest.ModelDir));
        using var set = TranscoderLoaders.Load(Path.Combine(demoDir, manifest.TranscodersDir));
        var replacement = new ReplacementModel(model.Decoder, set);
        Directory.CreateDirectory(runDir);

        sw.Restart();
        string cacheDir = Path.Combine(runDir, "cache");
        var options = new CacheOptions { Layers = set.Layers.ToArray(), ContextLength = 64, MaxTokens = maxTokens, BatchSize = 16 };
        var builder = new ActivationCacheBuilder(model, set, Path.Combine(demoDir, manifest.CorpusDir), cacheDir, options);
        var cacheManifest = ProgressReporter.Run(io, "[2/4] caching the demo corpus", maxTokens, h =>
            builder.Run(new Progress<CacheProgress>(p => h.Update(p.Tokens))));
        if (cacheManifest.Status != "finalized") cacheManifest = CacheFinalizer.Finalize(cacheDir, model.Tokenizer, new SamplingOptions());
        io.Note($"[2/4] cached {cacheManifest.Tokens:N0} tokens ({cacheManifest.Windows:N0} windows) in {sw.Elapsed.TotalSeconds:F1} s");

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
        var reports = ProgressReporter.Run(io, "[3/4] CircuitLens", features.Count, h =>
            runner.Run(features, Path.Combine(runDir, "circuitlens"), new Progress<(int Done, int Total, FeatureId Feature)>(p => h.Update(p.Done, p.Feature.ToString()))));
        io.Note($"[3/4] CircuitLens on {features.Count} features in {sw.Elapsed.TotalSeconds:F1} s");

        sw.Restart();
        var scores = GroundTruthScorer.ScoreCircuitLens(manifest, Path.Combine(runDir, "circuitlens"));
        io.Out.WriteLine();
        io.Out.WriteLine("Planted feature                 truth                                                  CircuitLens");
        foreach (var s in scores.Features)
            io.Out.WriteLine($"  L{s.Layer} F{s.Index,-4} {s.Name,-24} {Truncate(s.Truth, 52),-54} {s.Found}");
        io.Out.WriteLine();
        io.Out.WriteLine($"CircuitLens: planted contributor ranked first in {scores.TopContributorShare:P0} of planted contexts; polysemantic ARI {scores.PolysemanticAri:F2}");
        io.Out.WriteLine($"Done in {total.Elapsed.TotalSeconds:F0} s. Outputs in {Path.GetFullPath(runDir)}.");
        return ExitCodes.Ok;
    }

    static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
