using System.CommandLine;
using System.Globalization;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Cli.Common;
using CircuitInsights.Demo;
using CircuitInsights.Evaluation;
using CircuitInsights.Evaluation.Activations;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Explainers;
using CircuitInsights.Evaluation.Judges;
using CircuitInsights.Evaluation.Report;
using CircuitInsights.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>evaluate</c>: FADE scores (Clarity, Responsiveness, Purity, Faithfulness) of several description methods on the same
/// features, with an offline or LLM judge; writes scores.jsonl, report.md and plots (docs/evaluation.md). With
/// <c>--ground-truth</c> (the demo model's manifest.json) the report puts the planted truth next to the FADE scores.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create(CliIO io)
    {
        var run = new Option<string?>("--run") { Description = "Run folder: defaults --cache, --circuitlens, --weightlens and --out to its cache/, circuitlens/, weightlens/ and evaluation/." };
        var model = ModelOptions.Model();
        var transcoders = TranscoderOptions.Transcoders();
        var format = TranscoderOptions.Format();
        var cacheDir = new Option<string?>("--cache") { Description = "Finalized activation cache (from 'cache')." };
        var weightlens = new Option<string?>("--weightlens") { Description = "WeightLens output: folder of feature_analysis_layer_{L}.json (authors' format) or one file." };
        var circuitlens = new Option<string?>("--circuitlens") { Description = "CircuitLens output folder (from 'circuitlens')." };
        var external = new Option<string?>("--external") { Description = "External labels: Neuronpedia export (JSON/JSONL) or a WeightLens-format file." };
        var methods = new Option<string>("--methods") { DefaultValueFactory = _ => "wl,cl,wl+cl,maxact", Description = "Methods: wl, wl+out, cl, wl+cl, maxact, external (comma-separated)." };
        var features = new Option<string?>("--features", "-f") { Description = "Features as LAYER:INDEX,… ." };
        var sample = new Option<int?>("--sample") { Description = "Evaluate this many randomly chosen active features per layer." };
        var layers = new Option<string?>("--layers") { Description = "With --sample: layers to draw from." };
        var judge = new Option<string>("--judge") { DefaultValueFactory = _ => "offline", Description = "offline (deterministic token matching) or llm (OpenAI-compatible server)." };
        var endpoint = new Option<string?>("--llm-endpoint") { Description = "OpenAI-compatible base URL (e.g. https://api.openai.com/v1, http://localhost:8000/v1)." };
        var llmModel = new Option<string?>("--llm-model") { Description = "Judge/explainer model name." };
        var keyEnv = new Option<string>("--llm-key-env") { DefaultValueFactory = _ => "OPENAI_API_KEY", Description = "Environment variable holding the API key." };
        var llmCache = new Option<string?>("--llm-cache") { Description = "Answer cache folder (default: OUT/llm-cache); re-runs make no requests." };
        var naturalWindows = new Option<int>("--natural-windows") { DefaultValueFactory = _ => 1000, Description = "Corpus windows run through the model as natural samples." };
        var sampleTokens = new Option<int>("--sample-tokens") { DefaultValueFactory = _ => 64, Description = "Length of a natural sample in tokens (windows are cut into pieces)." };
        var rated = new Option<int>("--rated-samples") { DefaultValueFactory = _ => 500, Description = "Natural samples rated for Responsiveness/Purity." };
        var conceptSamples = new Option<int>("--concept-samples") { DefaultValueFactory = _ => 60, Description = "Concept samples of the offline judge (the LLM judge makes 15 calls)." };
        var prompts = new Option<int>("--faithfulness-prompts") { DefaultValueFactory = _ => 50, Description = "Prompts per steering factor." };
        var genLength = new Option<int>("--generation-length") { DefaultValueFactory = _ => 30, Description = "Tokens generated per prompt." };
        var promptTokens = new Option<int>("--prompt-tokens") { DefaultValueFactory = _ => 16, Description = "Prompt length (start of a natural window, BOS included)." };
        var factors = new Option<string>("--factors") { DefaultValueFactory = _ => "-50,-10,-1,0,1,10,50", Description = "Steering factors m." };
        var steering = new Option<string>("--steering") { DefaultValueFactory = _ => "multiply", Description = "multiply (a → m·a) or clamp (a → m·max natural a, FADE's SAE mode)." };
        var noFaith = new Option<bool>("--no-faithfulness") { Description = "Skip Faithfulness (steered generation is the slow part)." };
        var truth = new Option<string?>("--ground-truth") { Description = "Demo manifest.json: show the planted truth next to the FADE scores." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1234, Description = "Seed of feature sampling, rated-sample draws and prompts." };
        var output = new Option<string?>("--out", "-o") { Description = "Output folder (default: RUN/evaluation)." };
        var cmd = new Command("evaluate", "Score feature descriptions of several methods with FADE (Clarity, Responsiveness, Purity, Faithfulness) and write a comparison report.");
        foreach (var o in new Option[] { run, model, transcoders, format, cacheDir, weightlens, circuitlens, external, methods, features, sample, layers, judge, endpoint, llmModel, keyEnv, llmCache,
                     naturalWindows, sampleTokens, rated, conceptSamples, prompts, genLength, promptTokens, factors, steering, noFaith, truth, seed, output })
            cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            string? runDir = pr.GetValue(run);
            string Default(string? value, string sub, string what) => value ?? (runDir is null ? throw new CircuitInsightsException($"give {what} or --run DIR") : Path.Combine(runDir, sub));
            string? Optional(string? value, string sub) => value ?? (runDir is not null && Path.Exists(Path.Combine(runDir, sub)) ? Path.Combine(runDir, sub) : null);
            string cachePath = Default(pr.GetValue(cacheDir), "cache", "--cache");
            string outDir = Default(pr.GetValue(output), "evaluation", "--out");
            var methodList = DescriptionMethods.Parse(pr.GetValue(methods)!);
            var fade = new FadeOptions
            {
                RatedSamples = Positive(pr.GetValue(rated), "--rated-samples"), FaithfulnessPrompts = Positive(pr.GetValue(prompts), "--faithfulness-prompts"),
                GenerationLength = Positive(pr.GetValue(genLength), "--generation-length"), PromptTokens = Positive(pr.GetValue(promptTokens), "--prompt-tokens"),
                Factors = ParseFactors(pr.GetValue(factors)!), Faithfulness = !pr.GetValue(noFaith), Seed = pr.GetValue(seed),
                Steering = pr.GetValue(steering) switch
                {
                    "multiply" => SteeringMode.Multiply, "clamp" => SteeringMode.ClampToMax,
                    var s => throw new CircuitInsightsException($"--steering '{s}': expected multiply or clamp"),
                },
            };
            var poolOptions = new NaturalPoolOptions { Windows = Positive(pr.GetValue(naturalWindows), "--natural-windows"), SampleTokens = Math.Max(4, pr.GetValue(sampleTokens)) };
            var sources = new EvaluationSources { WeightLens = Optional(pr.GetValue(weightlens), "weightlens"), CircuitLens = Optional(pr.GetValue(circuitlens), "circuitlens"), External = pr.GetValue(external) };
            DemoManifest? manifest = pr.GetValue(truth) is { } t ? DemoManifest.Load(t) : null;

            var cache = new ActivationCache(cachePath);
            using var m = ModelOptions.Load(pr.GetValue(model)!, io);
            using var set = TranscoderOptions.Load(pr.GetValue(transcoders)!, pr.GetValue(format), io);
            var list = SelectFeatures(pr.GetValue(features), pr.GetValue(sample), pr.GetValue(layers), pr.GetValue(seed), cache, m.Spec.Layers, manifest);

            string judgeKind = pr.GetValue(judge)!;
            OpenAiChatClient? http = null;
            CachedChatClient? cached = null;
            if (judgeKind == "llm")
            {
                string name = pr.GetValue(llmModel) ?? throw new CircuitInsightsException("--judge llm needs --llm-model NAME");
                http = new OpenAiChatClient(new OpenAiChatOptions
                {
                    Endpoint = pr.GetValue(endpoint) ?? throw new CircuitInsightsException("--judge llm needs --llm-endpoint URL"), Model = name, ApiKeyVariable = pr.GetValue(keyEnv)!,
                });
                cached = new CachedChatClient(http, pr.GetValue(llmCache) ?? Path.Combine(outDir, "llm-cache"), name);
            }
            else if (judgeKind != "offline") throw new CircuitInsightsException($"--judge '{judgeKind}': expected offline or llm");
            using var _ = http;
            int concept = Positive(pr.GetValue(conceptSamples), "--concept-samples");
            Func<NaturalPool, IJudge> judgeFactory = cached is null
                ? pool => new OfflineJudge(pool.Samples.Where(s => s.Uniform).Select(s => s.Text).ToArray()) { ConceptSamples = concept }
                : _ => new LlmJudge(cached, pr.GetValue(llmModel)!);
            IFeatureExplainer explainer = cached is null ? new OfflineMaxActExplainer() : new LlmMaxActExplainer(cached);

            var runner = new EvaluationRunner(m.Decoder, set, m.Tokenizer, cache, fade, poolOptions);
            int total = list.Count * methodList.Count;
            io.Note($"evaluating {list.Count} features × {methodList.Count} methods ({string.Join(", ", methodList)}) with the {judgeKind} judge");
            var scores = ProgressReporter.Run(io, "evaluate", total, h =>
                runner.RunAsync(list, methodList, sources, judgeFactory, explainer, new Progress<(int Done, int Total, string Item)>(p => h.Update(p.Done, p.Item))).GetAwaiter().GetResult());

            var settings = new Dictionary<string, string>
            {
                ["model"] = m.Name, ["cache"] = Path.GetFullPath(cachePath), ["judge"] = judgeKind == "llm" ? $"llm {pr.GetValue(llmModel)} at {pr.GetValue(endpoint)}" : "offline (token matching)",
                ["methods"] = string.Join(", ", methodList), ["features"] = list.Count.ToString(CultureInfo.InvariantCulture),
                ["natural samples"] = $"{poolOptions.Windows} windows in pieces of {poolOptions.SampleTokens} tokens + each feature's top windows",
                ["rated samples"] = fade.RatedSamples.ToString(CultureInfo.InvariantCulture),
                ["faithfulness"] = fade.Faithfulness ? $"{fade.FaithfulnessPrompts} prompts × {fade.GenerationLength} tokens, m ∈ {{{string.Join(", ", fade.Factors)}}}, {pr.GetValue(steering)}" : "off",
            };
            if (cached is not null) settings["llm cache"] = $"{cached.Hits} answers from cache, {cached.Misses} requested";
            var groundTruth = manifest is null ? null : GroundTruth(manifest, list, sources.CircuitLens);
            EvaluationReport.Write(outDir, scores, methodList, settings, groundTruth);

            foreach (var s in MethodLayerSummary.Of(scores, methodList))
                io.Out.WriteLine($"L{s.Layer} {s.Method,-8} described {s.DescribedShare,5:P0}  C {F(s.Clarity.Mean)}  R {F(s.Responsiveness.Mean)}  P {F(s.Purity.Mean)}  F {F(s.Faithfulness.Mean)}");
            io.Out.WriteLine($"report: {Path.GetFullPath(Path.Combine(outDir, "report.md"))}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static string F(double? v) => v is double d ? d.ToString("F2", CultureInfo.InvariantCulture) : "  – ";

    static int Positive(int value, string name) => value >= 1 ? value : throw new CircuitInsightsException($"{name} must be at least 1 (got {value})");

    static double[] ParseFactors(string text)
    {
        var list = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
                : throw new CircuitInsightsException($"--factors: '{part}' is not a number"));
        return list.Count > 0 ? list.Distinct().ToArray() : throw new CircuitInsightsException("--factors: no factor given");
    }

    static List<FeatureId> SelectFeatures(string? features, int? sample, string? layers, int seed, ActivationCache cache, int modelLayers, DemoManifest? manifest)
    {
        if (features is not null) return FeatureId.ParseList(features).ToList();
        if (sample is int n)
        {
            var rng = new Random(seed);
            var result = new List<FeatureId>();
            foreach (int l in layers is null ? cache.Layers.ToArray() : LayerList.Parse(layers, modelLayers))
            {
                var s = cache.Sketches(l);
                result.AddRange(Enumerable.Range(0, s.Features).Where(f => s.WindowCount[f] > 0).OrderBy(_ => rng.Next()).Take(n).Order().Select(f => new FeatureId(l, f)));
            }
            return result;
        }
        if (manifest is not null) return manifest.Features.Select(f => new FeatureId(f.Layer, f.Index)).ToList();
        throw new CircuitInsightsException("give --features LAYER:INDEX,… or --sample N (or --ground-truth for the planted features)");
    }

    /// <summary>The demo glue: planted truth per selected feature (token set it should be described by) and the CircuitLens
    /// circuit recovery of <see cref="GroundTruthScorer"/> as an extra column.</summary>
    static List<GroundTruthEntry> GroundTruth(DemoManifest manifest, IReadOnlyList<FeatureId> features, string? circuitLens)
    {
        var recovery = circuitLens is not null && Directory.Exists(circuitLens)
            ? GroundTruthScorer.ScoreCircuitLens(manifest, circuitLens).Features.Where(s => s.Score is not null).ToDictionary(s => (s.Layer, s.Index), s => s.Score!.Value)
            : [];
        var selected = features.ToHashSet();
        return manifest.Features.Where(f => selected.Contains(new FeatureId(f.Layer, f.Index))).Select(f =>
        {
            var tokens = f.InputSet is not null && manifest.TokenSets.TryGetValue(f.InputSet, out var set) ? set.Select(t => t.Text).ToArray() : [];
            var extra = recovery.TryGetValue((f.Layer, f.Index), out double r) ? new Dictionary<string, double> { ["cl circuit recovery"] = r } : null;
            return new GroundTruthEntry(f.Layer, f.Index, f.Name, f.Description, tokens, extra);
        }).ToList();
    }
}
