using System.CommandLine;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>circuitlens</c>: circuit-level descriptions of features from their cached contexts.</summary>
public static class CircuitLensCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var transcoders = TranscoderOptions.Transcoders();
        var format = TranscoderOptions.Format();
        var cacheDir = new Option<string>("--cache") { Description = "Finalized activation cache (from 'cache').", Required = true };
        var features = new Option<string?>("--features", "-f") { Description = "Features as LAYER:INDEX,… ." };
        var layers = new Option<string?>("--layers") { Description = "With --sample: layers to draw features from." };
        var sample = new Option<int?>("--sample") { Description = "Analyse this many randomly chosen active features per layer." };
        var outputTokens = new Option<int>("--output-tokens") { DefaultValueFactory = _ => 3, Description = "Next tokens whose logits are attributed (output-centric)." };
        var eps = new Option<double>("--eps") { DefaultValueFactory = _ => 0.5, Description = "DBSCAN radius (Jaccard distance)." };
        var minSamples = new Option<int>("--min-samples") { DefaultValueFactory = _ => 5, Description = "DBSCAN min_samples." };
        var minFreq = new Option<double>("--min-frequency") { DefaultValueFactory = _ => 0.05, Description = "ρ: drop contributors in fewer than this share of contexts." };
        var significance = new Option<double>("--significance") { DefaultValueFactory = _ => 0.1, Description = "Contributor kept when |c| ≥ this × |target pre-activation|." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 7, Description = "Seed for --sample." };
        var group = new Option<int>("--group-features") { DefaultValueFactory = _ => 64, Description = "Features analysed together (a window several of them sampled is attributed once; memory ≈ this × samples contexts)." };
        var shard = ShardOption.Create();
        var output = new Option<string>("--out", "-o") { Description = "Output folder (rerun to resume).", Required = true };
        var cmd = new Command("circuitlens", "Attribute each sampled context of a feature to upstream features, heads and tokens, cluster contexts by circuit, describe each cluster.");
        foreach (var o in new Option[] { model, transcoders, format, cacheDir, features, layers, sample, outputTokens, eps, minSamples, minFreq, significance, seed, group, shard, output }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var cache = new ActivationCache(pr.GetValue(cacheDir)!);
            using var m = ModelOptions.Load(pr.GetValue(model)!, io);
            using var set = TranscoderOptions.Load(pr.GetValue(transcoders)!, pr.GetValue(format), io);
            var list = Select(pr.GetValue(features), pr.GetValue(layers), pr.GetValue(sample), pr.GetValue(seed), cache, m.Spec.Layers);
            var (si, sn) = ShardOption.Parse(pr.GetValue(shard));
            list = list.Where((_, i) => i % sn == si).ToList();
            var options = new CircuitLensOptions
            {
                OutputTokens = pr.GetValue(outputTokens), Eps = pr.GetValue(eps), MinSamples = pr.GetValue(minSamples),
                MinFrequency = pr.GetValue(minFreq), Significance = pr.GetValue(significance),
            };
            var runner = new CircuitLensRunner(new ReplacementModel(m.Decoder, set), m.Tokenizer, cache, options) { GroupSize = pr.GetValue(group) };
            var reports = ProgressReporter.Run(io, "circuitlens", list.Count, h =>
                runner.Run(list, pr.GetValue(output)!, new Progress<(int Done, int Total, FeatureId Feature)>(p => h.Update(p.Done, p.Feature.ToString()))));
            foreach (var r in reports) io.Out.WriteLine($"{r.Description}  [{r.Contexts} contexts, {r.Clusters.Count(c => c.Label >= 0)} cluster(s)]");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static List<FeatureId> Select(string? features, string? layers, int? sample, int seed, ActivationCache cache, int modelLayers)
    {
        if (features is not null) return FeatureId.ParseList(features).ToList();
        if (sample is not int n) throw new CircuitInsightsException("give --features LAYER:INDEX,… or --sample N (with optional --layers)");
        var rng = new Random(seed);
        var ls = layers is null ? cache.Layers.ToArray() : LayerList.Parse(layers, modelLayers);
        var result = new List<FeatureId>();
        foreach (int l in ls)
        {
            var s = cache.Sketches(l);
            var active = Enumerable.Range(0, s.Features).Where(f => s.WindowCount[f] > 0).OrderBy(_ => rng.Next()).Take(n);
            result.AddRange(active.Order().Select(f => new FeatureId(l, f)));
        }
        return result;
    }
}
