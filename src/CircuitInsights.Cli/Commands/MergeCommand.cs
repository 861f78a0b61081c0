using System.CommandLine;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.WeightLens.Run;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>merge</c>: joins the outputs of <c>--shard i/n</c> runs of any long command — activation caches (<c>cache.json</c>),
/// WeightLens runs (<c>weightlens_summary.json</c>) or CircuitLens runs (<c>summary.json</c> + <c>features/</c>) — telling
/// the kind from the files. <c>cache-merge</c> and <c>weightlens merge</c> do the same for one kind.
/// </summary>
public static class MergeCommand
{
    enum Kind { Cache, WeightLens, CircuitLens }

    public static Command Create(CliIO io)
    {
        var shards = new Argument<string[]>("shards") { Description = "Shard output folders (all of one kind).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Merged output folder.", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "Caches only: model whose tokenizer renders sampled contexts (default: the model recorded in the cache)." };
        var sampling = new SamplingCliOptions("Caches only: ", merging: true);
        var cmd = new Command("merge", "Merge the outputs of --shard i/n runs (activation caches, WeightLens or CircuitLens runs) into the single-run result.");
        cmd.Arguments.Add(shards);
        cmd.Options.Add(output); cmd.Options.Add(model); foreach (var o in sampling.All) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var dirs = pr.GetValue(shards)!;
            string outDir = pr.GetValue(output)!;
            switch (Detect(dirs))
            {
                case Kind.WeightLens:
                    var wl = ShardMerger.Merge(dirs, outDir);
                    io.Out.WriteLine($"merged {dirs.Length} WeightLens shards into {outDir}: {wl.Features:N0} features, {wl.Validated:N0} validated");
                    break;
                case Kind.CircuitLens:
                    int n = CircuitLensMerger.Merge(dirs, outDir);
                    io.Out.WriteLine($"merged {dirs.Length} CircuitLens shards into {outDir}: {n:N0} features");
                    break;
                default:
                    MergeCaches(dirs, outDir, pr.GetValue(model), sampling.Read(pr), io);
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Merges cache shards and finalizes the result (sampling needs the model's tokenizer: <paramref name="model"/>,
    /// else the model recorded in the cache when that is a local path); the sampler's seed is the cache's.</summary>
    internal static void MergeCaches(IReadOnlyList<string> dirs, string outDir, string? model, SamplingOptions sampling, CliIO io)
    {
        // refuse an incomplete set before writing anything
        foreach (var dir in dirs)
            if (CacheManifest.TryLoad(dir) is { } m && m.Options.ShardCount != dirs.Count)
                throw new CircuitInsightsException($"{dir} is shard {m.Options.ShardIndex}/{m.Options.ShardCount}, but {dirs.Count} shard folder(s) were given; give all {m.Options.ShardCount}");
        var merged = CacheMerger.Merge(dirs, outDir);
        if (merged.Options.ShardCount != 1) throw new CircuitInsightsException($"merged {merged.MergedShards} of {merged.Options.ShardCount} cache shards; give all of them");
        string modelPath = model ?? merged.Model;
        if (!Directory.Exists(modelPath) && !File.Exists(modelPath))
            throw new CircuitInsightsException($"the cache was made with model '{merged.Model}', which is not a local path here: give --model");
        var tokenizer = TokenizerLoader.Load(ModelDirectory.Resolve(modelPath).Path);
        try
        {
            var final = CacheFinalizer.Finalize(outDir, tokenizer, sampling with { Seed = merged.Options.Seed });
            io.Out.WriteLine($"merged {final.MergedShards} cache shards into {outDir}: {final.Windows:N0} windows, {final.Tokens:N0} tokens");
        }
        finally { (tokenizer as IDisposable)?.Dispose(); }
    }

    static Kind Detect(IReadOnlyList<string> dirs)
    {
        var kinds = dirs.Select(d =>
        {
            if (!Directory.Exists(d)) throw new CircuitInsightsException($"{d}: no such shard folder");
            if (File.Exists(Path.Combine(d, RunSummary.FileName))) return Kind.WeightLens;
            if (File.Exists(Path.Combine(d, CircuitLensRunner.SummaryFile)) && Directory.Exists(Path.Combine(d, "features"))) return Kind.CircuitLens;
            if (File.Exists(Path.Combine(d, "cache.json"))) return Kind.Cache;
            throw new CircuitInsightsException($"{d}: not a finished shard of cache, weightlens or circuitlens (no cache.json, {RunSummary.FileName} or {CircuitLensRunner.SummaryFile})");
        }).Distinct().ToList();
        if (kinds.Count > 1) throw new CircuitInsightsException($"the shards are of different kinds ({string.Join(", ", kinds)}); merge one kind at a time");
        return kinds[0];
    }
}
