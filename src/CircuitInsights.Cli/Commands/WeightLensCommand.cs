using System.CommandLine;
using CircuitInsights.Llm;
using System.Globalization;
using CircuitInsights.Cli.Common;
using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Transcoders.Loading;
using CircuitInsights.WeightLens;
using CircuitInsights.WeightLens.PostProcessing;
using CircuitInsights.WeightLens.Run;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>weightlens</c>: describe transcoder features from weights alone (docs/weightlens.md), resumable and shardable;
/// <c>weightlens merge</c> joins shard outputs; <c>weightlens concepts</c> adds LLM concept summaries to a result directory.
/// </summary>
public static class WeightLensCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model directory (HF layout), HF cache folder or cached hub id." };
        var transcoders = new Option<string>("--transcoders", "-t") { Description = "Transcoder set: a circuit-tracer folder (config.yaml) or file." };
        var format = new Option<string>("--transcoder-format") { Description = "Force a transcoder loader (default: detected)." };
        var demo = new Option<bool>("--demo") { Description = "Use the built-in demo model and its transcoders (generated on first use)." };
        var layers = new Option<string>("--layers") { Description = "Layers to describe, e.g. 0,3-5 (default: every transcoder layer)." };
        var features = new Option<string>("--features") { Description = "Only these features, e.g. 3:17,4:0-9 (upstream features they inherit from are analysed on demand)." };
        var shard = new Option<string>("--shard") { Description = "Describe shard i of n (features with index ≡ i mod n in each layer); join shards with 'merge'." };
        var preset = new Option<string>("--preset") { Description = "Thresholds: code (authors' code: tokens 5.5, features 4) or paper (GPT-2 4 / Gemma, Llama 4.5; features 3).", DefaultValueFactory = _ => "code" };
        var tokensThreshold = new Option<double?>("--threshold-tokens") { Description = "z-score threshold for input and output tokens (overrides the preset)." };
        var featuresThreshold = new Option<double?>("--threshold-features") { Description = "z-score threshold for upstream features (overrides the preset)." };
        var tokenPool = new Option<int>("--token-pool") { Description = "Size of the top/bottom vocabulary pools the z-scores are taken in.", DefaultValueFactory = _ => 1000 };
        var featurePool = new Option<int>("--feature-pool") { Description = "Size of each earlier layer's top pool for feature z-scores.", DefaultValueFactory = _ => 100 };
        var validation = new Option<string>("--validation") { Description = "per-token ([BOS, token] each, the paper's assumption) or authors (the released code's one-sequence checks).", DefaultValueFactory = _ => "per-token" };
        var validationBos = new Option<int?>("--validation-bos-id") { Description = "BOS id of [BOS, token] validation (default: the tokenizer's; the authors' code uses 2)." };
        var sequenceBos = new Option<string>("--sequence-bos-id") { Description = "authors mode: BOS in front of multi-token sequences: an id, 'none', or 'auto' (none for GPT-2, else the tokenizer's).", DefaultValueFactory = _ => "auto" };
        var inherit = new Option<string>("--inherit") { Description = "Inherit descriptions from: auto (GPT-2: layer 0 only, else all), all, first-layer.", DefaultValueFactory = _ => "auto" };
        var batch = new Option<int>("--batch") { Description = "Features per projection batch = checkpoint interval.", DefaultValueFactory = _ => 4096 };
        var probeBatch = new Option<int>("--probe-batch") { Description = "Sequences per validation forward pass.", DefaultValueFactory = _ => 512 };
        var output = new Option<string>("--out", "-o") { Description = "Output directory (re-running the same command resumes an interrupted run)." };
        var restart = new Option<bool>("--restart") { Description = "Discard an unfinished or different run in --out instead of resuming it." };
        var keep = new Option<bool>("--keep-checkpoints") { Description = "Keep the projection checkpoints after the run completes." };
        var delay = new Option<int>("--debug-batch-delay-ms") { Hidden = true };
        var llm = LlmOptions.Create();

        var cmd = new Command("weightlens", "Describe every transcoder feature from weights alone (WeightLens): input tokens, output tokens, upstream features, validated descriptions.");
        foreach (var o in new Option[] { model, transcoders, format, demo, layers, features, shard, preset, tokensThreshold, featuresThreshold, tokenPool, featurePool,
                     validation, validationBos, sequenceBos, inherit, batch, probeBatch, output, restart, keep, delay })
            cmd.Options.Add(o);
        llm.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string outDir = pr.GetValue(output) ?? throw new CircuitInsightsException("--out is required");
            var (modelPath, tcPath) = ResolveModel(pr.GetValue(demo), pr.GetValue(model), pr.GetValue(transcoders), io);
            using var loaded = ModelOptions.Load(modelPath, io);
            using var set = TranscoderOptions.Load(tcPath, pr.GetValue(format), io);
            var lens = new WeightLensModel(loaded.Decoder, loaded.Tokenizer, set, loaded.Name);
            var options = new WeightLensOptions
            {
                TokenPool = pr.GetValue(tokenPool), FeaturePool = pr.GetValue(featurePool),
                Validation = ParseValidation(pr.GetValue(validation)!), ValidationBosId = pr.GetValue(validationBos),
                SequenceBosId = ParseSequenceBos(pr.GetValue(sequenceBos)!), Inheritance = ParseInherit(pr.GetValue(inherit)!),
                BatchSize = pr.GetValue(batch), ProbeBatch = pr.GetValue(probeBatch),
            };
            options = WeightLensPresets.Apply(pr.GetValue(preset)!, loaded.Spec.Architecture, options);
            if (pr.GetValue(tokensThreshold) is double tt) options = options with { ThresholdTokens = tt, Preset = "custom" };
            if (pr.GetValue(featuresThreshold) is double tf) options = options with { ThresholdFeatures = tf, Preset = "custom" };
            var selection = FeatureSelection.Parse(pr.GetValue(layers), pr.GetValue(features), pr.GetValue(shard));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var summary = WeightLensProgressView.Run(io, (progress, log) => new WeightLensJob
            {
                Model = lens, Options = options, Selection = selection, OutputDirectory = outDir, Restart = pr.GetValue(restart),
                KeepCheckpoints = pr.GetValue(keep), Progress = progress, Log = io.Note,
                BatchDelay = TimeSpan.FromMilliseconds(Math.Max(0, pr.GetValue(delay))),
            }.Run());
            PrintSummary(io, summary, outDir, clock.Elapsed);
            if (llm.Configured(pr)) llm.Run(pr, io, outDir, summary.Layers.Select(l => l.Layer));
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(MergeCommand(io));
        cmd.Subcommands.Add(ConceptsCommand(io));
        cmd.Subcommands.Add(BenchCommand(io));
        return cmd;
    }

    static Command BenchCommand(CliIO io)
    {
        var shape = new Option<string>("--shape") { Description = "gpt2-small (12 layers × 24576) or gemma-2-2b-layer (V 256000, D 2304, K 16384).", DefaultValueFactory = _ => "gpt2-small" };
        var fraction = new Option<int>("--fraction") { Description = "Describe 1/N of the features (shard 0/N) and extrapolate the full run.", DefaultValueFactory = _ => 12 };
        var repetitions = new Option<int>("--repetitions") { Description = "Repetitions of the pure-GEMM reference (best is used).", DefaultValueFactory = _ => 3 };
        var cmd = new Command("bench", "Benchmark WeightLens on a random model of real size (docs/performance.md, WeightLens).");
        foreach (var o in new Option[] { shape, fraction, repetitions }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            Bench.WeightLensBench.WeightLensBenchmark.Run(io.Out, new Bench.WeightLensBench.WeightLensBenchOptions
            {
                Shape = pr.GetValue(shape)!, Fraction = pr.GetValue(fraction), Repetitions = pr.GetValue(repetitions),
            });
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static Command MergeCommand(CliIO io)
    {
        var shards = new Argument<string[]>("shards") { Description = "Output directories of the shards 0/n … n−1/n.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Directory for the merged result.", Required = true };
        var cmd = new Command("merge", "Join the outputs of 'weightlens --shard i/n' runs into the single-run result (byte-identical files).");
        cmd.Arguments.Add(shards);
        cmd.Options.Add(output);
        cmd.SetAction(pr =>
        {
            var summary = ShardMerger.Merge(pr.GetValue(shards)!, pr.GetValue(output)!);
            PrintSummary(io, summary, pr.GetValue(output)!, null);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static Command ConceptsCommand(CliIO io)
    {
        var input = new Option<string>("--in", "-i") { Description = "A result directory (ours, or one holding the authors' feature_analysis_layer_*.json files).", Required = true };
        var layers = new Option<string>("--layers") { Description = "Layers to summarise (default: all files found)." };
        var llm = LlmOptions.Create(required: true);
        var cmd = new Command("concepts", "Ask an OpenAI-compatible LLM for a one-line concept per described feature (writes concepts_layer_{L}.json).");
        cmd.Options.Add(input);
        cmd.Options.Add(layers);
        llm.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string dir = pr.GetValue(input)!;
            var found = Directory.Exists(dir)
                ? Directory.EnumerateFiles(dir, "feature_analysis_layer_*.json").Select(f => Path.GetFileNameWithoutExtension(f)["feature_analysis_layer_".Length..])
                    .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : -1).Where(l => l >= 0).Order().ToArray()
                : throw new CircuitInsightsException($"{dir}: directory not found");
            var wanted = pr.GetValue(layers) is { } text ? FeatureSelection.Parse(text, null, null).Layers!.ToHashSet() : null;
            llm.Run(pr, io, dir, found.Where(l => wanted is null || wanted.Contains(l)));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static (string Model, string Transcoders) ResolveModel(bool demo, string? model, string? transcoders, CliIO io)
    {
        if (demo)
        {
            if (model is not null || transcoders is not null) throw new CircuitInsightsException("--demo replaces --model and --transcoders");
            string dir = DemoModelGenerator.DefaultDirectory();
            var manifest = DemoModelGenerator.EnsureGenerated(dir);
            io.Note($"demo model in {dir}");
            return (Path.Combine(dir, manifest.ModelDir), Path.Combine(dir, manifest.TranscodersDir));
        }
        if (model is null || transcoders is null) throw new CircuitInsightsException("give --model and --transcoders (or --demo)");
        return (model, transcoders);
    }

    static void PrintSummary(CliIO io, RunSummary summary, string outDir, TimeSpan? elapsed)
    {
        var o = io.Out;
        o.WriteLine($"{"layer",5} {"features",9} {"validated",10} {"share",7} {"in-tokens",10} {"out-tokens",11} {"upstream",9}");
        foreach (var l in summary.Layers)
            o.WriteLine($"{l.Layer,5} {l.Features,9} {l.Validated,10} {(l.Features == 0 ? 0 : 100.0 * l.Validated / l.Features),6:F1}% {l.WithInputTokens,10} {l.WithOutputTokens,11} {l.WithUpstreamFeatures,9}");
        o.WriteLine($"{"all",5} {summary.Features,9} {summary.Validated,10} {100 * summary.ValidatedShare,6:F1}%");
        o.WriteLine($"wrote {outDir}{(elapsed is { } e ? $" in {e.TotalSeconds:F1} s" : "")}");
    }

    static ValidationMode ParseValidation(string s) => s switch
    {
        "per-token" => ValidationMode.PerToken,
        "authors" => ValidationMode.Authors,
        _ => throw new CircuitInsightsException($"--validation: '{s}' (expected per-token or authors)"),
    };

    static InheritancePolicy ParseInherit(string s) => s switch
    {
        "auto" => InheritancePolicy.Auto,
        "all" => InheritancePolicy.AllLayers,
        "first-layer" => InheritancePolicy.FirstLayer,
        _ => throw new CircuitInsightsException($"--inherit: '{s}' (expected auto, all or first-layer)"),
    };

    static int? ParseSequenceBos(string s) => s switch
    {
        "auto" => null,
        "none" => -1,
        _ => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id
            : throw new CircuitInsightsException($"--sequence-bos-id: '{s}' (expected an id, none or auto)"),
    };

    /// <summary>The LLM options shared by <c>weightlens</c> and <c>weightlens concepts</c>.</summary>
    sealed class LlmOptions
    {
        Option<string> _endpoint = null!, _model = null!, _prompt = null!;
        Option<int?> _max = null!;
        Option<bool> _all = null!;

        public static LlmOptions Create(bool required = false) => new()
        {
            _endpoint = new Option<string>("--llm-endpoint") { Description = "OpenAI-compatible API base URL (e.g. http://localhost:8000/v1); the key is read from OPENAI_API_KEY.", Required = required },
            _model = new Option<string>("--llm-model") { Description = "Model name sent to the endpoint.", Required = required },
            _prompt = new Option<string>("--llm-prompt") { Description = "System prompt template file (default: the built-in one)." },
            _max = new Option<int?>("--llm-max-features") { Description = "Summarise at most this many features per layer." },
            _all = new Option<bool>("--llm-all") { Description = "Also summarise features that are not validated (when they have output tokens)." },
        };

        public void AddTo(Command cmd)
        {
            foreach (var o in new Option[] { _endpoint, _model, _prompt, _max, _all }) cmd.Options.Add(o);
        }

        public bool Configured(ParseResult pr) => pr.GetValue(_endpoint) is not null || pr.GetValue(_model) is not null;

        public void Run(ParseResult pr, CliIO io, string dir, IEnumerable<int> layers)
        {
            string endpoint = pr.GetValue(_endpoint) ?? throw new CircuitInsightsException("--llm-endpoint is required with --llm-model");
            string model = pr.GetValue(_model) ?? throw new CircuitInsightsException("--llm-model is required with --llm-endpoint");
            var prompt = pr.GetValue(_prompt) is { } file ? ConceptPrompt.FromFile(file) : ConceptPrompt.Default;
            using var http = new OpenAiChatClient(new OpenAiChatOptions { Endpoint = endpoint, Model = model });
            var cached = new CachedChatClient(http, Path.Combine(dir, "llm-cache"), model);
            var summarizer = new ConceptSummarizer(cached, prompt);
            foreach (int layer in layers)
            {
                string records = Path.Combine(dir, WeightLens.Output.FeatureRecordJson.FileName(layer));
                var descriptions = WeightLens.Output.FeatureRecordJson.ReadFile(records).Select(DescriptionPostProcessor.Process).ToList();
                var concepts = summarizer.SummarizeAsync(descriptions, validatedOnly: !pr.GetValue(_all), pr.GetValue(_max)).GetAwaiter().GetResult();
                string path = Path.Combine(dir, ConceptSummarizer.FileName(layer));
                ConceptSummarizer.WriteFile(path, concepts);
                io.Note($"layer {layer}: {concepts.Count} concepts → {path}");
            }
        }
    }
}
