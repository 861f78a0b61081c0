using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models;
using CircuitInsights.Storage.Export;
using CircuitInsights.Storage.Import;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>store import</c> / <c>store export</c>: the per-run SQLite feature store (docs/store.md).</summary>
public static class StoreCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("store", "Feature store (one SQLite file per run): import results into it, export it to JSON/JSONL.");
        cmd.Subcommands.Add(Import(io));
        cmd.Subcommands.Add(Export(io));
        return cmd;
    }

    static Command Import(CliIO io)
    {
        var db = new Option<string>("--db") { Description = "Store file (created when missing), e.g. run.sqlite.", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Finalized activation cache folder: run info, statistics, histograms, top/sampled contexts." };
        var circuitlens = new Option<string?>("--circuitlens") { Description = "CircuitLens output folder (features/L*_F*.json + .contexts.jsonl)." };
        var weightlens = new Option<string?>("--weightlens") { Description = "Folder with WeightLens feature_analysis_layer_{L}.json files (or one file)." };
        var graphs = new Option<string[]>("--graph") { Description = "Attribution graph JSON (circuit-tracer/Neuronpedia format); repeatable.", AllowMultipleArgumentsPerToken = true };
        var scores = new Option<string[]>("--scores") { Description = "Evaluation scores JSONL ({layer, feature, method, metric, value}); repeatable." };
        var descriptions = new Option<string[]>("--descriptions") { Description = "External descriptions JSONL ({layer, feature, text[, method, source]}); repeatable." };
        var model = new Option<string?>("--model", "-m") { Description = "Model: token texts; with --transcoders also per-token activations of stored contexts." };
        var transcoders = new Option<string?>("--transcoders", "-t") { Description = "Transcoder set (with --model): recompute per-token activations." };
        var format = TranscoderOptions.Format();
        var top = new Option<int>("--top-contexts") { DefaultValueFactory = _ => 10, Description = "Top contexts stored per feature from the cache (≤ 20)." };
        var sampled = new Option<int>("--sampled-contexts") { DefaultValueFactory = _ => 5, Description = "Sampled contexts stored per feature from the cache." };
        var maxWindows = new Option<int>("--max-activation-windows") { DefaultValueFactory = _ => 4096, Description = "At most this many windows are run through the model for per-token activations." };
        var cmd = new Command("import", "Import a cache, CircuitLens/WeightLens results, graphs, scores and descriptions into a store (one transaction: all or nothing).");
        foreach (var o in new Option[] { db, cache, circuitlens, weightlens, graphs, scores, descriptions, model, transcoders, format, top, sampled, maxWindows }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            string? modelPath = pr.GetValue(model), tcPath = pr.GetValue(transcoders);
            if (tcPath is not null && modelPath is null) throw new CircuitInsightsException("--transcoders needs --model");
            if (pr.GetValue(top) is < 0 or > 20) throw new CircuitInsightsException("--top-contexts must be in [0, 20] (the cache stores the 20 best windows)");
            if (pr.GetValue(sampled) < 0 || pr.GetValue(maxWindows) < 0) throw new CircuitInsightsException("--sampled-contexts and --max-activation-windows must be ≥ 0");
            TransformerModel? loaded = null;
            TranscoderSet? set = null;
            ITokenizer? tokenizer = null;
            try
            {
                if (modelPath is not null && tcPath is not null)
                {
                    loaded = ModelOptions.Load(modelPath, io);
                    set = TranscoderOptions.Load(tcPath, pr.GetValue(format), io);
                    tokenizer = loaded.Tokenizer;
                }
                else if (modelPath is not null) tokenizer = TokenizerLoader.Load(ModelDirectory.Resolve(modelPath).Path);
                var options = new ImportOptions
                {
                    CacheDir = pr.GetValue(cache), CircuitLensDir = pr.GetValue(circuitlens), WeightLensDir = pr.GetValue(weightlens),
                    Graphs = pr.GetValue(graphs) ?? [], Scores = pr.GetValue(scores) ?? [], Descriptions = pr.GetValue(descriptions) ?? [],
                    TopContexts = pr.GetValue(top), SampledContexts = pr.GetValue(sampled), MaxActivationWindows = pr.GetValue(maxWindows),
                    Model = loaded is not null && set is not null ? new ReplacementModel(loaded.Decoder, set) : null,
                    Tokenizer = tokenizer, ModelName = loaded?.Name,
                };
                if (options.CacheDir is null && options.CircuitLensDir is null && options.WeightLensDir is null && options.Graphs.Count == 0
                    && options.Scores.Count == 0 && options.Descriptions.Count == 0)
                    throw new CircuitInsightsException("nothing to import: give --cache, --circuitlens, --weightlens, --graph, --scores or --descriptions");
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var summary = StoreImporter.Import(pr.GetValue(db)!, options, new NoteProgress(io));
                io.Out.WriteLine($"imported into {pr.GetValue(db)} in {sw.Elapsed.TotalSeconds:F1} s: {summary}");
                return ExitCodes.Ok;
            }
            finally
            {
                set?.Dispose();
                loaded?.Dispose();
                if (loaded is null) (tokenizer as IDisposable)?.Dispose();
            }
        });
        return cmd;
    }

    static Command Export(CliIO io)
    {
        var db = new Option<string>("--db") { Description = "Store file.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for {table}.jsonl, graphs/{id}.json and manifest.json.", Required = true };
        var cmd = new Command("export", "Export every table of a store to JSON Lines (one snapshot).");
        cmd.Options.Add(db); cmd.Options.Add(output);
        cmd.SetAction(pr =>
        {
            var counts = StoreExporter.Export(pr.GetValue(db)!, pr.GetValue(output)!);
            io.Out.WriteLine($"exported {pr.GetValue(db)} to {pr.GetValue(output)}: " + string.Join(", ", counts.Where(c => c.Value > 0).Select(c => $"{c.Key} {c.Value:N0}")));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
