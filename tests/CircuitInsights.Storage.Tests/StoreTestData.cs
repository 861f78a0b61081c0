using System.Text.Json;
using CircuitInsights.Storage.Import;
using CircuitInsights.Testing;

namespace CircuitInsights.Storage.Tests;

/// <summary>Temporary stores and small input files for the store tests.</summary>
public sealed class StoreTestData : IDisposable
{
    public string Root { get; } = CheckpointDirectory.CreateTemp("ci-storetest");

    public static ImportSummary Import(string db, ImportOptions options) => StoreImporter.Import(db, options, null, TestContext.Current.CancellationToken);

    public string NewDb(string name = "run.sqlite") => Path.Combine(Root, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    /// <summary>Writes feature_analysis_layer_{layer}.json with one record per (index, tokens, description).</summary>
    public string WeightLens(int layer, params (int Index, string[] Tokens, string[]? Description)[] records)
    {
        string dir = Path.Combine(Root, "wl-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var list = records.OrderBy(r => r.Index).Select(r => new
        {
            feature = new { layer, feature_idx = r.Index },
            embedding = new
            {
                top_positive_tokens = r.Tokens, top_positive_token_ids = r.Tokens.Select((_, i) => 100 + i).ToArray(),
                top_positive_tokens_contribution = r.Tokens.Select(_ => 1.0).ToArray(),
                top_positive_tokens_relative_contribution = r.Tokens.Select(_ => 0.1).ToArray(),
                positive_tokens_activation = r.Tokens.Select(_ => 2.0).ToArray(),
                top_negative_tokens = Array.Empty<string>(), top_negative_tokens_ids = Array.Empty<int>(),
                top_negative_tokens_contribution = Array.Empty<double>(), top_negative_tokens_relative_contribution = Array.Empty<double>(),
            },
            output_logits = new { top_positive_tokens = new[] { " Paris" }, top_negative_tokens = new[] { " yes" } },
            feature_to_feature_contributions = layer > 0
                ? new object[] { new { from_layer = layer - 1, from_feature_idx = r.Index, contribution = 1.5, relative_contribution = 0.2 } } : [],
            total_input_invariant_contribution = 10.0, total_input_invariant_detected_contribution = 0.3,
            description = r.Description, description_soft = r.Description, validation = r.Description is not null, validation_soft = 1.0,
        });
        File.WriteAllText(Path.Combine(dir, $"feature_analysis_layer_{layer}.json"), JsonSerializer.Serialize(list));
        return dir;
    }

    /// <summary>A small valid graph JSON (two features, one token, one logit); <paramref name="brokenLink"/> points a link at no node.</summary>
    public string Graph(string slug = "g", bool brokenLink = false)
    {
        string path = Path.Combine(Root, slug + "-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        var json = JsonSerializer.Serialize(new
        {
            metadata = new { slug, prompt = "a b" },
            qParams = new { },
            nodes = new object[]
            {
                new { node_id = "E_5_0", layer = "E", ctx_idx = 0, feature_type = "embedding" },
                new { node_id = "0_3_0", layer = "0", ctx_idx = 0, feature_type = "cross layer transcoder", activation = 1.0, influence = 0.5 },
                new { node_id = "1_7_1", layer = "1", ctx_idx = 1, feature_type = "cross layer transcoder", activation = 2.0, influence = 0.6 },
                new { node_id = "3_9_1", layer = "3", ctx_idx = 1, feature_type = "logit", is_target_logit = true },
            },
            links = new object[]
            {
                new { source = "E_5_0", target = "0_3_0", weight = 1.0 },
                new { source = "0_3_0", target = brokenLink ? "9_9_9" : "1_7_1", weight = 0.5 },
                new { source = "1_7_1", target = "3_9_1", weight = -0.25 },
            },
        });
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Writes a store directly: features with stats, descriptions, tokens, one window with a context.</summary>
    public string SyntheticStore(int layers = 2, int width = 50)
    {
        string db = NewDb();
        using var w = StoreWriter.Begin(db);
        w.SetRun("synthetic-model", null);
        for (int l = 0; l < layers; l++)
            for (int f = 0; f < width; f++)
            {
                w.SetFeatureStats(l, f, new FeatureStats(f, 1000, f / 2, 100, f / 1000.0, 1.0, 0.5, f, 0.1));
                w.SetDescription(l, f, DescriptionMethods.WeightLens, $"tokens about topic{l}x{f}");
                w.AddFeatureToken(l, f, $" word{f}", "input", "weightlens", 1.0 / (f + 1));
            }
        w.AddVocab(1, "Hello"); w.AddVocab(2, " world"); w.AddVocab(3, "<b>bold</b>");
        w.AddWindow(42, [1, 2, 3]);
        long id = w.AddContext(0, 7, "top", 0, 42, 2, 3.5f, null, [0f, 1.25f, 3.5f], null);
        w.AddAttribution(id, "feature", 0, 3, 1, -1, 0.75);
        w.SetScore(0, 7, "weightlens", "fuzz", 0.5);
        w.RecordImport("synthetic", "test", null, null);
        w.Commit();
        return db;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
