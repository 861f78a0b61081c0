using System.Diagnostics;
using System.Text;
using CircuitInsights.Storage;
using CircuitInsights.Storage.Import;
using CircuitInsights.Storage.Query;

namespace CircuitInsights.Bench.Store;

/// <summary>Options of <see cref="StoreBenchmark"/>; the default is GPT-2-small size (12 × 24576 features).</summary>
public sealed record StoreBenchOptions
{
    public int Layers { get; init; } = 12;
    public int Width { get; init; } = 24576;
    /// <summary>Input + output tokens per feature (feature_tokens rows), drawn Zipf-like from <see cref="Vocabulary"/>.</summary>
    public int TokensPerFeature { get; init; } = 6;
    public int Vocabulary { get; init; } = 20_000;
    /// <summary>Features with CircuitLens clusters and stored contexts.</summary>
    public int ContextFeatures { get; init; } = 2000;
    public int ContextsPerFeature { get; init; } = 10;
    public int WindowLength { get; init; } = 64;
    public int Repetitions { get; init; } = 15;
    public int Seed { get; init; } = 11;
}

/// <summary>One measured query: best and median wall time over the repetitions (opening the store included, as the server does per request).</summary>
public sealed record StoreQueryTiming(string Query, double BestMs, double MedianMs, int Results);

public sealed record StoreBenchResult(long Features, double FillSeconds, long DatabaseBytes, IReadOnlyList<StoreQueryTiming> Queries);

/// <summary>
/// Fills a feature store with synthetic features at model scale (statistics, histogram, a WeightLens record with tokens,
/// links and description, searchable tokens for every feature; clusters and contexts with per-token activations for a
/// subset; one graph) and times the explorer's server-side queries: search by id, by exact and prefix token, by
/// description substring (trigram FTS and the short-query scan), the feature page and its contexts.
/// </summary>
public static class StoreBenchmark
{
    public static StoreBenchResult Run(string dbPath, StoreBenchOptions o, TextWriter? log = null)
    {
        var fill = Stopwatch.StartNew();
        var probe = Fill(dbPath, o);
        fill.Stop();
        log?.WriteLine($"filled {(long)o.Layers * o.Width:N0} features in {fill.Elapsed.TotalSeconds:F1} s ({new FileInfo(dbPath).Length / 1e6:F0} MB)");
        int l = o.Layers - 1, i = o.Width / 3;
        int withContexts = Math.Min(o.ContextFeatures, o.Width) - 1; // context features are layer 0, indices [0, ContextFeatures)
        var queries = new (string Name, Func<FeatureStore, int> Run)[]
        {
            ($"search id \"{l}:{i}\"", s => s.Search($"{l}:{i}").Count),
            ("search token, most common (exact)", s => s.Search(Word(0), by: "token").Count),
            ($"search token, rare \"{probe.RareToken.Trim()}\" (exact)", s => s.Search(probe.RareToken, by: "token").Count),
            ("search token prefix \"wor\"", s => s.Search("wor", by: "token").Count),
            ($"search description \"{probe.Topic}\" (trigram)", s => s.Search(probe.Topic, by: "description").Count),
            ("search description, no match (trigram)", s => s.Search("zzzqqq", by: "description").Count),
            ("search description \"q\", no match (short: scan)", s => s.Search("q", by: "description").Count),
            ("search auto \"word17\"", s => s.Search("word17").Count),
            ($"feature page L{l}:{i} (WeightLens)", s => s.Feature(l, i) is null ? 0 : 1),
            ($"feature page L0:{withContexts} (clusters, contexts)", s => s.Feature(0, withContexts) is null ? 0 : 1),
            ($"contexts L0:{withContexts} cluster 0", s => s.Contexts(0, withContexts, "circuitlens", 0, 10).Count),
            ("run overview", s => s.Overview().Layers.Count),
        };
        var timings = new List<StoreQueryTiming>();
        foreach (var (name, run) in queries)
        {
            var times = new List<double>();
            int results = 0;
            for (int r = 0; r < o.Repetitions; r++)
            {
                var sw = Stopwatch.StartNew();
                using (var store = FeatureStore.Open(dbPath)) results = run(store);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var t = new StoreQueryTiming(name, times[0], times[times.Count / 2], results);
            timings.Add(t);
            log?.WriteLine($"{t.Query,-48} best {t.BestMs,8:F2} ms  median {t.MedianMs,8:F2} ms  ({t.Results} results)");
        }
        return new StoreBenchResult((long)o.Layers * o.Width, fill.Elapsed.TotalSeconds, new FileInfo(dbPath).Length, timings);
    }

    static string Word(int rank) => $" word{rank}";

    /// <summary>Fills the store; returns the rarest token and the description topic of the probed feature (last layer, width/3).</summary>
    static (string RareToken, string Topic) Fill(string db, StoreBenchOptions o)
    {
        (string, string) probe = ("", "");
        var rng = new Random(o.Seed);
        int Zipf() => (int)Math.Min(o.Vocabulary - 1, Math.Floor(Math.Exp(rng.NextDouble() * Math.Log(o.Vocabulary + 1)) - 1));
        using var w = StoreWriter.Begin(db);
        w.SetRun("synthetic-gpt2-small", null);
        var counts = new long[24];
        for (int l = 0; l < o.Layers; l++)
            for (int f = 0; f < o.Width; f++)
            {
                double max = 1 + 10 * rng.NextDouble();
                w.SetFeatureStats(l, f, new FeatureStats(rng.Next(1, 100_000), 10_000_000, rng.Next(1, 20_000), 80_000, 0.01, max / 3, max / 10, max, 0.05));
                for (int b = 0; b < counts.Length; b++) counts[b] = rng.Next(0, 1000) >> b / 3;
                w.SetHistogram(l, f, new ActivationHistogram(0.05, max, counts, counts.Sum(), false));
                var tokens = Enumerable.Range(0, o.TokensPerFeature).Select(_ => Word(Zipf())).Distinct().ToArray();
                int half = (tokens.Length + 1) / 2;
                string json = WeightLensJson(l, f, tokens[..half], tokens[half..], rng);
                w.Run("""
                    INSERT OR REPLACE INTO weightlens (layer, idx, description, description_soft, validation, validation_soft, total_contribution,
                      detected_contribution, input_tokens, promoted_tokens, suppressed_tokens, record_json) VALUES ($1, $2, $3, $3, 1, 1.0, 10.0, 0.3, $3, $4, NULL, $5)
                    """, l, f, WeightLensImporter.Join(tokens[..half]), WeightLensImporter.Join(tokens[half..]), json);
                if (l > 0)
                    w.Run("INSERT OR REPLACE INTO weightlens_links (layer, idx, from_layer, from_idx, contribution, relative_contribution) VALUES ($1, $2, $3, $4, 1.0, 0.1)",
                        l, f, l - 1, rng.Next(o.Width));
                for (int t = 0; t < tokens.Length; t++) w.AddFeatureToken(l, f, tokens[t], t < half ? "input" : "promoted", "weightlens", 1.0 / (t + 1));
                string topic = $"topic {rng.Next(100_000)}";
                w.SetDescription(l, f, DescriptionMethods.WeightLens, $"tokens {string.Join(",", tokens[..half])} {topic}");
                if (l == o.Layers - 1 && f == o.Width / 3) probe = (tokens.MaxBy(t => int.Parse(t.AsSpan(5)))!, topic);
            }
        var window = new int[o.WindowLength];
        var acts = new float[o.WindowLength];
        long windowId = 0;
        for (int f = 0; f < Math.Min(o.ContextFeatures, o.Width); f++)
        {
            for (int c = 0; c < o.ContextsPerFeature; c++)
            {
                for (int t = 0; t < window.Length; t++) { window[t] = rng.Next(50_000); acts[t] = rng.NextDouble() < 0.1 ? (float)rng.NextDouble() * 5 : 0; }
                w.AddWindow(windowId, window);
                long id = w.AddContext(0, f, "circuitlens", c, windowId++, o.WindowLength / 2, 4f, c % 3 == 2 ? -1 : c % 2, acts, null);
                for (int k = 0; k < 6; k++) w.AddAttribution(id, "feature", 0, rng.Next(o.Width), rng.Next(o.WindowLength), 0, rng.NextDouble());
                w.AddAttribution(id, "head", 0, rng.Next(12), o.WindowLength / 2 - 1, -1, 1.0);
            }
            for (int label = -1; label < 2; label++)
                w.SetCluster(0, f, label, 3, 3.0, 4.0, $"cluster {label}", """{"contributors":[{"key":"h:0:3:-1","frequency":0.9,"mean_contribution":1.2},{"key":"f:0:17","frequency":0.5,"mean_contribution":0.8}],"patterns":[]}""");
        }
        for (int id = 0; id < 50_000; id += 7) w.AddVocab(id, $"tok{id}");
        w.Commit();
        return probe;
    }

    static string WeightLensJson(int layer, int feature, string[] inputs, string[] promoted, Random rng)
    {
        var sb = new StringBuilder(600);
        sb.Append("{\"feature\":{\"layer\":").Append(layer).Append(",\"feature_idx\":").Append(feature).Append("},\"embedding\":{\"top_positive_tokens\":[");
        sb.AppendJoin(',', inputs.Select(t => $"\"{t}\"")).Append("],\"top_positive_token_ids\":[").AppendJoin(',', inputs.Select(_ => rng.Next(50_000)));
        sb.Append("],\"top_positive_tokens_relative_contribution\":[").AppendJoin(',', inputs.Select(_ => 0.05)).Append("],\"positive_tokens_activation\":[");
        sb.AppendJoin(',', inputs.Select(_ => 1.5)).Append("]},\"output_logits\":{\"top_positive_tokens\":[").AppendJoin(',', promoted.Select(t => $"\"{t}\""));
        sb.Append("],\"top_negative_tokens\":[]},\"feature_to_feature_contributions\":[],\"description\":[").AppendJoin(',', inputs.Select(t => $"\"{t}\"")).Append("]}");
        return sb.ToString();
    }
}
