using System.CommandLine;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>cache</c>: one pass over a corpus collecting per-feature activation statistics and sampled contexts.</summary>
public static class CacheCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var transcoders = TranscoderOptions.Transcoders();
        var format = TranscoderOptions.Format();
        var corpus = new Option<string>("--corpus", "-c") { Description = "Text file or folder (.txt/.md), .jsonl, or .parquet (Hugging Face datasets).", Required = true };
        var textField = new Option<string>("--text-field") { Description = "JSONL field / Parquet column with the text.", DefaultValueFactory = _ => "text" };
        var layers = new Option<string?>("--layers") { Description = "Layers to cache, e.g. 0,3-5 (default: all covered by the transcoders)." };
        var contextLen = new Option<int>("--context-len") { Description = "Window length in tokens (BOS included).", DefaultValueFactory = _ => 128 };
        var maxTokens = new Option<long?>("--max-tokens") { Description = "Stop after this many tokens." };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not prepend BOS to each window." };
        var topK = new Option<int>("--top-k") { Description = "Best windows kept exactly per feature.", DefaultValueFactory = _ => 100 };
        var reservoir = new Option<int>("--reservoir") { Description = "Uniform sample of active windows kept per feature.", DefaultValueFactory = _ => 128 };
        var pairs = new Option<int>("--coactivation-pairs") { Description = "Upstream features per target tracked for TWERA (0 = off).", DefaultValueFactory = _ => 16 };
        var batch = new Option<int>("--batch-size") { Description = "Windows per forward pass.", DefaultValueFactory = _ => 16 };
        var checkpoint = new Option<int>("--checkpoint-windows") { Description = "Save progress every this many windows (0 = only at the end).", DefaultValueFactory = _ => 2000 };
        var sampling = new SamplingCliOptions();
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1234, Description = "Seed of the reservoir hash and the sampler." };
        var shard = ShardOption.Create();
        var output = new Option<string>("--out", "-o") { Description = "Cache folder (rerun the same command to resume).", Required = true };
        var cmd = new Command("cache", "Cache transcoder activations over a corpus: per-feature statistics, top and sampled contexts, TWERA co-activation (resumable, shardable).");
        foreach (var o in new Option[] { model, transcoders, format, corpus, textField, layers, contextLen, maxTokens, noBos, topK, reservoir, pairs, batch, checkpoint, sampling.Samples, sampling.Bins, sampling.Alpha, seed, shard, output }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var (si, sn) = ShardOption.Parse(pr.GetValue(shard));
            if (!File.Exists(pr.GetValue(corpus)) && !Directory.Exists(pr.GetValue(corpus))) throw new CircuitInsightsException($"{pr.GetValue(corpus)}: corpus file or folder not found");
            using var m = ModelOptions.Load(pr.GetValue(model)!, io);
            using var set = TranscoderOptions.Load(pr.GetValue(transcoders)!, pr.GetValue(format), io);
            int[] ls = pr.GetValue(layers) is { } text ? LayerList.Parse(text, m.Spec.Layers) : set.Layers.ToArray();
            var options = new CacheOptions
            {
                Layers = ls, ContextLength = pr.GetValue(contextLen), PrependBos = !pr.GetValue(noBos), MaxTokens = pr.GetValue(maxTokens),
                TextField = pr.GetValue(textField)!, TopK = pr.GetValue(topK), Reservoir = pr.GetValue(reservoir), CoactivationPairs = pr.GetValue(pairs),
                BatchSize = pr.GetValue(batch), CheckpointWindows = pr.GetValue(checkpoint), Seed = pr.GetValue(seed), ShardIndex = si, ShardCount = sn,
            };
            string dir = pr.GetValue(output)!;
            io.Note($"sketch memory ≈ {ls.Length * FeatureSketches.EstimateBytes(set.Width, options.TopK, options.Reservoir) / 1e6:F0} MB");
            var builder = new ActivationCacheBuilder(m, set, pr.GetValue(corpus)!, dir, options);
            double total = options.MaxTokens ?? 0;
            var manifest = ProgressReporter.Run(io, "caching", total > 0 ? total : 1, h =>
                builder.Run(new Progress<CacheProgress>(p => h.Update(total > 0 ? p.Tokens : 0, $"{p.Windows:N0} windows, {p.Tokens:N0} tokens"))));
            if (sn == 1 && manifest.Status != "finalized")
                manifest = CacheFinalizer.Finalize(dir, m.Tokenizer, sampling.Read(pr, pr.GetValue(seed)));
            io.Out.WriteLine($"cache {dir}: {manifest.Windows:N0} windows, {manifest.Tokens:N0} tokens, layers {string.Join(",", ls)}, status {manifest.Status}"
                + (sn > 1 ? $" (shard {si}/{sn}: run 'cache-merge' when all shards are done)" : ""));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
