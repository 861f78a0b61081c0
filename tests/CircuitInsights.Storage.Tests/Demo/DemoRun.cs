using System.Text.Json;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Storage.Import;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Storage.Tests.Demo;

/// <summary>
/// A complete small run of the demo model imported into a feature store: a cache pass over part of the demo corpus,
/// CircuitLens on two planted features, WeightLens records (authors' JSON format, written here from the ground truth,
/// including one token that contains HTML), an attribution graph JSON over the planted river→bank path, a score and an
/// external description — imported with the model so contexts carry per-token activations.
/// </summary>
public sealed class DemoRun : IDisposable
{
    /// <summary>Token text planted in a WeightLens record: must always render as text.</summary>
    public const string ScriptToken = "<script>window.__xss=1</script>";

    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-store");
    public DemoManifest Manifest { get; }
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public string CacheDir { get; }
    public string CircuitLensDir { get; }
    public string WeightLensDir { get; }
    public string GraphFile { get; }
    public string DbPath { get; }
    public ImportSummary Summary { get; }

    public PlantedFeature Bank => Manifest.Feature("bank_after_river");
    public PlantedFeature Inherited => Manifest.Feature("animal_inherited");
    public PlantedFeature AnimalDetector => Manifest.Feature("animal_detector");
    public PlantedFeature River => Manifest.Feature("river_detector");
    public PlantedFeature Weekday => Manifest.Feature("weekday_detector");
    public PlantedFeature City => Manifest.Feature("city_promoter");

    public DemoRun()
    {
        string demo = Path.Combine(Root, "demo");
        Manifest = DemoModelGenerator.EnsureGenerated(demo);
        Model = ModelLoader.Load(Path.Combine(demo, Manifest.ModelDir));
        Transcoders = TranscoderLoaders.Load(Path.Combine(demo, Manifest.TranscodersDir));
        var replacement = new ReplacementModel(Model.Decoder, Transcoders);
        CacheDir = Path.Combine(Root, "cache");
        var options = new CacheOptions { Layers = [0, 1, 2], ContextLength = 48, MaxTokens = 6_000, BatchSize = 8, CheckpointWindows = 0, Reservoir = 32 };
        new ActivationCacheBuilder(Model, Transcoders, Path.Combine(demo, Manifest.CorpusDir, "demo.jsonl"), CacheDir, options).Run();
        CacheFinalizer.Finalize(CacheDir, Model.Tokenizer, new SamplingOptions { Count = 24 });
        CircuitLensDir = Path.Combine(Root, "circuitlens");
        new CircuitLensRunner(replacement, Model.Tokenizer, new ActivationCache(CacheDir), new CircuitLensOptions())
            .Run([new FeatureId(Bank.Layer, Bank.Index), new FeatureId(Inherited.Layer, Inherited.Index)], CircuitLensDir);
        WeightLensDir = Path.Combine(Root, "weightlens");
        WriteWeightLens();
        GraphFile = Path.Combine(Root, "river-bank.json");
        File.WriteAllText(GraphFile, GraphJson());
        string scores = Path.Combine(Root, "scores.jsonl");
        File.WriteAllText(scores, JsonSerializer.Serialize(new { layer = Bank.Layer, feature = Bank.Index, method = "circuitlens", metric = "detection_f1", value = 0.875 }) + "\n");
        DbPath = Path.Combine(Root, "run.sqlite");
        Summary = StoreImporter.Import(DbPath, new ImportOptions
        {
            CacheDir = CacheDir, CircuitLensDir = CircuitLensDir, WeightLensDir = WeightLensDir, Graphs = [GraphFile], Scores = [scores],
            Model = replacement, Tokenizer = Model.Tokenizer, ModelName = Model.Name, TopContexts = 5, SampledContexts = 3,
        });
    }

    string[] Set(string name) => Manifest.TokenSets[name].Select(t => t.Text).ToArray();
    int[] SetIds(string name) => Manifest.TokenSets[name].Select(t => t.Id).ToArray();

    /// <summary>WeightLens records in the authors' per-layer format for a few planted features.</summary>
    void WriteWeightLens()
    {
        Directory.CreateDirectory(WeightLensDir);
        object Record(PlantedFeature f, string[] inputs, int[] ids, string[] promoted, string[] suppressed, object[] links, string[]? description) => new
        {
            feature = new { layer = f.Layer, feature_idx = f.Index },
            embedding = new
            {
                top_positive_tokens = inputs, top_positive_token_ids = ids,
                top_positive_tokens_contribution = inputs.Select((_, i) => 3.0 - 0.1 * i).ToArray(),
                top_positive_tokens_relative_contribution = inputs.Select((_, i) => 0.05 - 0.001 * i).ToArray(),
                positive_tokens_activation = inputs.Select(_ => 1.5).ToArray(),
                top_negative_tokens = Array.Empty<string>(), top_negative_tokens_ids = Array.Empty<int>(),
                top_negative_tokens_contribution = Array.Empty<double>(), top_negative_tokens_relative_contribution = Array.Empty<double>(),
            },
            output_logits = new { top_positive_tokens = promoted, top_negative_tokens = suppressed },
            feature_to_feature_contributions = links,
            total_input_invariant_contribution = 120.5, total_input_invariant_detected_contribution = 0.42,
            description, description_soft = description, validation = description is not null, validation_soft = description is null ? 0.0 : 1.0,
        };
        var layer0 = new[]
        {
            (AnimalDetector.Index, Record(AnimalDetector, Set("animals"), SetIds("animals"), [], [], [], Set("animals"))),
            (Weekday.Index, Record(Weekday, [ScriptToken, .. Set("weekdays")], [0, .. SetIds("weekdays")], [], [], [], [ScriptToken, "Monday"])),
        }.OrderBy(r => r.Index).Select(r => r.Item2).ToArray();
        var layer1 = new[]
        {
            Record(Inherited, Set("animals"), SetIds("animals"), [], [],
                [new { from_layer = AnimalDetector.Layer, from_feature_idx = AnimalDetector.Index, contribution = 2.5, relative_contribution = 0.3 }], Set("animals")),
        };
        var layer2 = new[] { Record(City, Set("prepositions"), SetIds("prepositions"), Set("cities"), [], [], Set("prepositions")) };
        foreach (var (layer, records) in new[] { (0, layer0), (1, layer1), (2, layer2) })
            File.WriteAllText(Path.Combine(WeightLensDir, $"feature_analysis_layer_{layer}.json"), JsonSerializer.Serialize(records, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A small graph in circuit-tracer's frontend JSON: tokens → river detector → bank feature → logit, plus an error node.</summary>
    string GraphJson()
    {
        var gp = Manifest.GraphPrompts[0];
        var tokens = Model.Encode(gp.Prompt, prependBos: true);
        int bankPos = gp.TargetPosition, riverPos = gp.SourcePosition;
        string emb(int pos) => $"E_{tokens[pos]}_{pos}";
        string feat(FeatureRef f, int pos) => $"{f.Layer}_{f.Index}_{pos}";
        var nodes = new List<object>
        {
            new { node_id = emb(riverPos), feature = (int?)null, layer = "E", ctx_idx = riverPos, feature_type = "embedding", jsNodeId = "e1", clerp = Model.Tokenizer.TokenText(tokens[riverPos]), is_target_logit = false, influence = 0.4, activation = (double?)null },
            new { node_id = emb(bankPos), feature = (int?)null, layer = "E", ctx_idx = bankPos, feature_type = "embedding", jsNodeId = "e2", clerp = Model.Tokenizer.TokenText(tokens[bankPos]), is_target_logit = false, influence = 0.3, activation = (double?)null },
            new { node_id = feat(gp.Source, riverPos), feature = (int?)gp.Source.Index, layer = gp.Source.Layer.ToString(), ctx_idx = riverPos, feature_type = "cross layer transcoder", jsNodeId = "f1", clerp = "river detector", is_target_logit = false, influence = 0.5, activation = (double?)2.0 },
            new { node_id = feat(gp.Target, bankPos), feature = (int?)gp.Target.Index, layer = gp.Target.Layer.ToString(), ctx_idx = bankPos, feature_type = "cross layer transcoder", jsNodeId = "f2", clerp = "bank after river", is_target_logit = false, influence = 0.7, activation = (double?)1.5 },
            new { node_id = $"{gp.Target.Layer}_-1_{bankPos}", feature = (int?)-1, layer = gp.Target.Layer.ToString(), ctx_idx = bankPos, feature_type = "mlp reconstruction error", jsNodeId = "x1", clerp = "error", is_target_logit = false, influence = 0.05, activation = (double?)null },
            new { node_id = $"4_{tokens[bankPos]}_{bankPos}", feature = (int?)null, layer = "4", ctx_idx = bankPos, feature_type = "logit", jsNodeId = "l1", clerp = "Output \" bank\" (p=0.200)", is_target_logit = true, influence = 1.0, activation = (double?)null },
        };
        var links = new object[]
        {
            new { source = emb(riverPos), target = feat(gp.Source, riverPos), weight = 2.0 },
            new { source = feat(gp.Source, riverPos), target = feat(gp.Target, bankPos), weight = 1.2 },
            new { source = emb(bankPos), target = feat(gp.Target, bankPos), weight = 0.9 },
            new { source = $"{gp.Target.Layer}_-1_{bankPos}", target = feat(gp.Target, bankPos), weight = -0.1 },
            new { source = feat(gp.Target, bankPos), target = $"4_{tokens[bankPos]}_{bankPos}", weight = 0.8 },
        };
        return JsonSerializer.Serialize(new
        {
            metadata = new { slug = "river-bank", scan = "demo", prompt = gp.Prompt, prompt_tokens = tokens.Select(Model.Tokenizer.TokenText).ToArray(), node_threshold = 0.8, schema_version = 1 },
            qParams = new { pinnedIds = Array.Empty<string>(), supernodes = Array.Empty<string>(), linkType = "both", clickedId = "", sg_pos = "" },
            nodes, links,
        });
    }

    public void Dispose()
    {
        Model.Dispose();
        Transcoders.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
