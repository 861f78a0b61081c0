using System.Text.Json.Nodes;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Demo;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Evaluation.Tests;

/// <summary>
/// A small demo run shared by the end-to-end tests: the demo model, a finalized cache of 12k corpus tokens, CircuitLens on
/// two planted token detectors, and a WeightLens folder in the authors' format written from the manifest (correct token
/// sets for the detectors), plus an external-labels file with deliberately wrong descriptions.
/// </summary>
public sealed class DemoRunFixture : IDisposable
{
    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-eval");
    public DemoManifest Manifest { get; }
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public string CacheDir { get; }
    public string CircuitLensDir { get; }
    public string WeightLensDir { get; }
    public string ExternalFile { get; }
    public static readonly string[] Detectors = ["animal_detector", "weekday_detector"];

    public DemoRunFixture()
    {
        string demo = Path.Combine(Root, "demo");
        Manifest = DemoModelGenerator.Generate(demo);
        Model = ModelLoader.Load(Path.Combine(demo, Manifest.ModelDir));
        Transcoders = TranscoderLoaders.Load(Path.Combine(demo, Manifest.TranscodersDir));
        CacheDir = Path.Combine(Root, "cache");
        var options = new CacheOptions { Layers = [0, 1, 2], ContextLength = 64, MaxTokens = 12_000, BatchSize = 8 };
        new ActivationCacheBuilder(Model, Transcoders, Path.Combine(demo, Manifest.CorpusDir, "demo.jsonl"), CacheDir, options).Run();
        CacheFinalizer.Finalize(CacheDir, Model.Tokenizer, new SamplingOptions());
        CircuitLensDir = Path.Combine(Root, "circuitlens");
        new CircuitLensRunner(new ReplacementModel(Model.Decoder, Transcoders), Model.Tokenizer, new ActivationCache(CacheDir), new CircuitLensOptions { OutputTokens = 0 })
            .Run(Detectors.Select(Id).ToArray(), CircuitLensDir);

        WeightLensDir = Path.Combine(Root, "weightlens");
        Directory.CreateDirectory(WeightLensDir);
        foreach (var layer in Manifest.Features.Select(f => f.Layer).Distinct())
        {
            var records = new JsonArray();
            foreach (var f in Manifest.Features.Where(f => f.Layer == layer && f.Kind == "token_detector"))
                records.Add(new JsonObject
                {
                    ["feature"] = new JsonObject { ["layer"] = f.Layer, ["feature_idx"] = f.Index },
                    ["description"] = new JsonArray(Manifest.TokenSets[f.InputSet!].Select(t => (JsonNode)t.Text).ToArray()),
                    ["validation"] = true,
                    ["output_logits"] = new JsonObject { ["top_positive_tokens"] = new JsonArray(), ["top_negative_tokens"] = new JsonArray() },
                });
            File.WriteAllText(WeightLensDescriptions.LayerFile(WeightLensDir, layer), records.ToJsonString());
        }
        // wrong labels: each detector described by another detector's concept
        ExternalFile = Path.Combine(Root, "wrong-labels.json");
        var animals = Manifest.Feature("animal_detector");
        var weekdays = Manifest.Feature("weekday_detector");
        File.WriteAllText(ExternalFile, new JsonArray(
            new JsonObject { ["layer"] = animals.Layer, ["index"] = animals.Index, ["description"] = "colour words like \"red\", \"blue\", \"green\", \"yellow\"" },
            new JsonObject { ["layer"] = weekdays.Layer, ["index"] = weekdays.Index, ["description"] = "numbers such as \"one\", \"two\", \"three\", \"four\"" }).ToJsonString());
    }

    public FeatureId Id(string name)
    {
        var f = Manifest.Feature(name);
        return new FeatureId(f.Layer, f.Index);
    }

    public void Dispose()
    {
        Model.Dispose();
        Transcoders.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
