using System.CommandLine;
using CircuitInsights.CircuitLens;
using CircuitInsights.Cli.Common;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Explainers;
using CircuitInsights.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>describe</c>: the paper's WL+CL descriptions — each feature's CircuitLens clusters combined with its WeightLens record,
/// structured (no LLM) or written by an OpenAI-compatible LLM (one sentence per cluster, then a merged one). Writes one
/// JSON line per described feature, in the format <c>store import --descriptions</c> reads.
/// </summary>
public static class DescribeCommand
{
    public static Command Create(CliIO io)
    {
        var run = new Option<string?>("--run") { Description = "Run folder: defaults --circuitlens, --weightlens and --out to its circuitlens/, weightlens/ and descriptions.jsonl." };
        var circuitlens = new Option<string?>("--circuitlens") { Description = "CircuitLens output folder (from 'circuitlens')." };
        var weightlens = new Option<string?>("--weightlens") { Description = "WeightLens output: folder of feature_analysis_layer_{L}.json or one file." };
        var features = new Option<string?>("--features", "-f") { Description = "Features as LAYER:INDEX,… (default: every feature with a CircuitLens report, else every WeightLens record)." };
        var output = new Option<string?>("--out", "-o") { Description = "Output JSONL file." };
        var endpoint = new Option<string?>("--llm-endpoint") { Description = "OpenAI-compatible base URL (e.g. http://localhost:8000/v1); without it the descriptions are structured text." };
        var llmModel = new Option<string?>("--llm-model") { Description = "Model name for --llm-endpoint." };
        var keyEnv = new Option<string>("--llm-key-env") { DefaultValueFactory = _ => "OPENAI_API_KEY", Description = "Environment variable holding the API key (unset = none)." };
        var llmCache = new Option<string?>("--llm-cache") { Description = "Answer cache folder (default: next to --out); re-runs cost no requests." };
        var cmd = new Command("describe", "Write WL+CL feature descriptions (CircuitLens clusters + WeightLens tokens), structured or by an LLM; JSONL importable with 'store import --descriptions'.");
        foreach (var o in new Option[] { run, circuitlens, weightlens, features, output, endpoint, llmModel, keyEnv, llmCache }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            string? runDir = pr.GetValue(run);
            string? Default(string? given, string sub) => given ?? (runDir is null ? null : Path.Combine(runDir, sub) is var p && (Directory.Exists(p) || File.Exists(p)) ? p : null);
            string? clDir = Default(pr.GetValue(circuitlens), "circuitlens"), wlPath = Default(pr.GetValue(weightlens), "weightlens");
            string outFile = pr.GetValue(output) ?? (runDir is null ? throw new CircuitInsightsException("give --out FILE (or --run DIR)") : Path.Combine(runDir, "descriptions.jsonl"));
            if (clDir is null && wlPath is null) throw new CircuitInsightsException("nothing to describe: give --circuitlens and/or --weightlens (or --run DIR holding them)");
            if (clDir is not null && !Directory.Exists(clDir)) throw new CircuitInsightsException($"--circuitlens {clDir}: no such folder");

            var clFeatures = clDir is null ? [] : CircuitLensRunner.ReportedFeatures(clDir);
            IReadOnlyList<FeatureId> list = pr.GetValue(features) is { } f ? FeatureId.ParseList(f) : clFeatures;
            var weightLens = wlPath is null ? new Dictionary<FeatureId, WeightLensRecord>()
                : WeightLensDescriptions.Load(wlPath, list.Count > 0 ? list.Select(x => x.Layer) : Enumerable.Range(0, 256));
            if (list.Count == 0) list = weightLens.Keys.Order().ToList();
            if (list.Count == 0) throw new CircuitInsightsException("no features found to describe");

            string? endpointUrl = pr.GetValue(endpoint), name = pr.GetValue(llmModel);
            if ((endpointUrl is null) != (name is null)) throw new CircuitInsightsException("an LLM needs both --llm-endpoint and --llm-model");
            using var http = endpointUrl is null ? null : new OpenAiChatClient(new OpenAiChatOptions { Endpoint = endpointUrl, Model = name!, ApiKeyVariable = pr.GetValue(keyEnv)! });
            var cached = http is null ? null : new CachedChatClient(http, pr.GetValue(llmCache) ?? outFile + ".llm-cache", name!);
            var describer = new CircuitDescriber(cached);

            var results = ProgressReporter.Run(io, "describe", list.Count, h =>
                describer.DescribeAllAsync(list, weightLens, clDir, (n, id) => h.Update(n, id.ToString())).GetAwaiter().GetResult());
            CircuitDescriber.WriteJsonl(outFile, results);
            foreach (var r in results.Take(20)) io.Out.WriteLine($"L{r.Layer}:F{r.Feature}  {r.Text}");
            if (results.Count > 20) io.Out.WriteLine($"… {results.Count - 20} more");
            io.Out.WriteLine($"wrote {results.Count} descriptions ({list.Count - results.Count} features not described) to {outFile}" +
                             (cached is null ? "" : $"; LLM answers: {cached.Misses} requested, {cached.Hits} from cache"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

}
