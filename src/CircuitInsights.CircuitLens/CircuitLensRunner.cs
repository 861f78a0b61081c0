using System.Text.Json;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Cache;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens;

/// <summary>
/// Runs CircuitLens for a list of features over a finalized activation cache: the sampled contexts are grouped by window
/// (one forward pass and one backward sweep per window for all features sampled there), attributed, clustered and
/// described. Writes <c>features/L{l}_F{i}.json</c> (report) and <c>.contexts.jsonl</c> (one line per context) for each
/// feature as soon as it is done (resumable: finished features are skipped), then <c>layer_{l}.jsonl</c> and
/// <c>summary.json</c>.
/// </summary>
public sealed partial class CircuitLensRunner(ReplacementModel model, ITokenizer tokenizer, ActivationCache cache, CircuitLensOptions options)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    internal static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    public static string ReportPath(string dir, FeatureId f) => Path.Combine(dir, "features", $"L{f.Layer}_F{f.Index}.json");
    public static string ContextsPath(string dir, FeatureId f) => Path.Combine(dir, "features", $"L{f.Layer}_F{f.Index}.contexts.jsonl");

    [System.Text.RegularExpressions.GeneratedRegex(@"^L(0|[1-9]\d*)_F(0|[1-9]\d*)\.json$")]
    private static partial System.Text.RegularExpressions.Regex ReportName();

    /// <summary>The features that have a report in a CircuitLens output folder (by file name as <see cref="ReportPath"/> writes
    /// it), ordered by (layer, index);
    /// empty when the folder has no <c>features/</c>.</summary>
    public static List<FeatureId> ReportedFeatures(string dir)
    {
        string features = Path.Combine(dir, "features");
        if (!Directory.Exists(features)) return [];
        return Directory.EnumerateFiles(features, "L*_F*.json").Select(p => ReportName().Match(Path.GetFileName(p))).Where(m => m.Success)
            .Select(m => new FeatureId(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value))).Order().ToList();
    }

    /// <summary>Features analysed together: a window sampled by several of them is run once for all (held in memory:
    /// about GroupSize × samples contexts). Results do not depend on it beyond float rounding.</summary>
    public int GroupSize { get; init; } = 64;

    public IReadOnlyList<FeatureCircuitReport> Run(IReadOnlyList<FeatureId> features, string outputDir, IProgress<(int Done, int Total, FeatureId Feature)>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(Path.Combine(outputDir, "features"));
        foreach (var f in features)
        {
            if (!cache.Layers.Contains(f.Layer)) throw new CircuitInsightsException($"feature {f}: layer {f.Layer} is not in the cache (cached: {string.Join(", ", cache.Layers)})");
            if ((uint)f.Index >= (uint)cache.Manifest.Features) throw new CircuitInsightsException($"feature {f}: index outside [0, {cache.Manifest.Features})");
        }
        var reports = new List<FeatureCircuitReport>();
        int done = 0;
        // Work in groups of features so windows shared between them are attributed once.
        if (GroupSize < 1) throw new CircuitInsightsException("CircuitLens: the feature group size must be ≥ 1");
        foreach (var group in features.Distinct().Chunk(GroupSize))
        {
            cancel.ThrowIfCancellationRequested();
            var todo = group.Where(f => !File.Exists(ReportPath(outputDir, f))).ToArray();
            var contexts = AnalyzeGroup(todo, cancel);
            foreach (var f in group)
            {
                FeatureCircuitReport report;
                if (contexts.TryGetValue(f, out var list))
                {
                    report = new FeatureCircuitAnalyzer(tokenizer, options).Analyze(f.Layer, f.Index, list) with { Twera = [.. cache.Twera(f.Layer, f.Index)] };
                    AtomicFile.Write(ContextsPath(outputDir, f), s =>
                    {
                        using var w = new StreamWriter(s, leaveOpen: true);
                        foreach (var c in list) w.WriteLine(JsonSerializer.Serialize(c, Json));
                    });
                    AtomicFile.Write(ReportPath(outputDir, f), s => JsonSerializer.Serialize(s, report, Pretty));
                }
                else
                {
                    report = LoadReport(outputDir, f);
                    if (JsonSerializer.Serialize(report.Options, Json) != JsonSerializer.Serialize(options, Json))
                        throw new CircuitInsightsException($"{ReportPath(outputDir, f)}: analysed with other options ({JsonSerializer.Serialize(report.Options, Json)}); use another output folder or delete it to redo the analysis");
                }
                reports.Add(report);
                progress?.Report((++done, features.Count, f));
            }
        }
        WriteLayerFiles(outputDir, features);
        AtomicFile.Write(Path.Combine(outputDir, SummaryFile), s => JsonSerializer.Serialize(s, new
        {
            cache = cache.Directory, model = cache.Manifest.Model, transcoders = cache.Manifest.Transcoders, options,
            features = reports.Select(r => new { layer = r.Layer, feature = r.Feature, contexts = r.Contexts, clusters = r.Clusters.Count(c => c.Label >= 0), noise = r.Noise, description = r.Description, max_completeness_error = r.MaxCompletenessError }),
        }, Pretty));
        return reports;
    }

    public const string SummaryFile = "summary.json";

    public static FeatureCircuitReport LoadReport(string dir, FeatureId f)
    {
        string path = ReportPath(dir, f);
        try { return JsonSerializer.Deserialize<FeatureCircuitReport>(File.ReadAllText(path)) ?? throw new CircuitInsightsException($"{path}: empty report"); }
        catch (JsonException e) { throw new CircuitInsightsException($"{path}: invalid CircuitLens report ({e.Message})", e); }
    }

    Dictionary<FeatureId, List<ContextAnalysis>> AnalyzeGroup(IReadOnlyList<FeatureId> features, CancellationToken cancel)
    {
        var byWindow = new SortedDictionary<int, List<(FeatureId Feature, ContextTarget Target)>>();
        foreach (var f in features)
            foreach (var s in cache.Samples(f.Layer, f.Index))
            {
                if (!byWindow.TryGetValue(s.Window, out var list)) byWindow[s.Window] = list = [];
                list.Add((f, new ContextTarget(f.Layer, f.Index, s.Position, s.Activation)));
            }
        var analyzer = new ContextAnalyzer(model, tokenizer, options);
        var result = features.ToDictionary(f => f, _ => new List<ContextAnalysis>());
        foreach (var (window, items) in byWindow)
        {
            cancel.ThrowIfCancellationRequested();
            var analyses = analyzer.Analyze(window, cache.Window(window), items.Select(i => i.Target).ToArray());
            for (int i = 0; i < items.Count; i++) result[items[i].Feature].Add(analyses[i]);
        }
        foreach (var list in result.Values) list.Sort((a, b) => b.TargetActivation.CompareTo(a.TargetActivation) is var c && c != 0 ? c : a.Window.CompareTo(b.Window));
        return result;
    }

    internal static void WriteLayerFiles(string dir, IReadOnlyList<FeatureId> features)
    {
        foreach (var layer in features.Select(f => f.Layer).Distinct().Order())
            AtomicFile.Write(Path.Combine(dir, $"layer_{layer}.jsonl"), s =>
            {
                using var w = new StreamWriter(s, leaveOpen: true);
                foreach (var f in features.Where(f => f.Layer == layer).Distinct().OrderBy(f => f.Index))
                    foreach (var line in File.ReadLines(ContextsPath(dir, f)))
                        w.WriteLine($"{{\"layer\":{f.Layer},\"feature\":{f.Index},\"context\":{line}}}");
            });
    }
}
