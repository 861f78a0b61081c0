using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitInsights.Formats;

namespace CircuitInsights.Demo;

/// <summary>Every method's recovery of the planted ground truth for one run folder (written as <c>groundtruth.json</c>).</summary>
public sealed record GroundTruthReport
{
    public const string FileName = "groundtruth.json";
    /// <summary>Conventional places of each method's output inside a run folder (what <c>demo</c> writes).</summary>
    public const string WeightLensDir = "weightlens", CircuitLensDir = "circuitlens", GraphFile = "graph.json";

    public WeightLensScores? WeightLens { get; init; }
    public CircuitLensScores? CircuitLens { get; init; }
    public GraphPathScore? Graph { get; init; }

    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Scores whatever the run folder holds: <c>weightlens/</c>, <c>circuitlens/</c>, <c>graph.json</c> (first graph prompt).</summary>
    public static GroundTruthReport ScoreRun(DemoManifest manifest, string runDir)
    {
        if (!Directory.Exists(runDir)) throw new CircuitInsightsException($"{runDir}: no such run folder");
        string wl = Path.Combine(runDir, WeightLensDir), cl = Path.Combine(runDir, CircuitLensDir), graph = Path.Combine(runDir, GraphFile);
        var report = new GroundTruthReport
        {
            WeightLens = Directory.Exists(wl) ? WeightLensGroundTruth.Score(manifest, wl) : null,
            CircuitLens = Directory.Exists(cl) ? GroundTruthScorer.ScoreCircuitLens(manifest, cl) : null,
            Graph = File.Exists(graph) && manifest.GraphPrompts.Count > 0 ? GraphGroundTruth.Score(manifest.GraphPrompts[0], graph) : null,
        };
        if (report.WeightLens is null && report.CircuitLens is null && report.Graph is null)
            throw new CircuitInsightsException($"{runDir}: nothing to score (expected {WeightLensDir}/, {CircuitLensDir}/ or {GraphFile})");
        return report;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>A plain-text table: each planted feature with what each method found, then the summary scores.</summary>
    public void Print(TextWriter o)
    {
        if (WeightLens is { } w)
        {
            o.WriteLine("WeightLens (weights only)");
            foreach (var s in w.Features) o.WriteLine($"  L{s.Layer} F{s.Index,-4} {s.Name,-24} {s.Found}");
            o.WriteLine($"  input tokens   {w.InputTokens}");
            o.WriteLine($"  output tokens  {w.OutputTokens}");
            o.WriteLine($"  upstream links {w.UpstreamLinks}");
            o.WriteLine($"  {w.ExplainableValidated}/{w.Explainable} weight-explainable features validated; {w.UnexplainableRejected}/{w.Unexplainable} context/polysemantic features correctly left undescribed");
            o.WriteLine();
        }
        if (CircuitLens is { } c)
        {
            o.WriteLine("CircuitLens (contexts and circuits)");
            foreach (var s in c.Features) o.WriteLine($"  L{s.Layer} F{s.Index,-4} {s.Name,-24} {Truncate(s.Truth, 60),-62} {s.Found}");
            o.WriteLine($"  planted contributor ranked first in {c.TopContributorShare:P0} of planted contexts; polysemantic ARI {c.PolysemanticAri:F2}");
            o.WriteLine();
        }
        if (Graph is { } g)
        {
            o.WriteLine($"Attribution graph of \"{g.Prompt}\"");
            o.WriteLine($"  planted edge {g.Source} → {g.Target}: {(g.Recovered ? "found" : "NOT found")} (nodes kept {g.NodesKept}, edge kept {g.EdgeKept}, weight {g.EdgeWeight?.ToString("G4") ?? "—"}, rank among the target's inputs {g.SourceRank?.ToString() ?? "—"}); pruned graph {g.KeptNodes} nodes, {g.KeptLinks} links");
        }
    }

    static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
