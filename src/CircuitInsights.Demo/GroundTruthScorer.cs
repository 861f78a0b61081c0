using System.Text.Json;
using CircuitInsights.CircuitLens;
using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.CircuitLens.Clustering;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Demo;

/// <summary>Scores of one method on one planted feature.</summary>
public sealed record PlantedFeatureScore(string Name, int Layer, int Index, string Truth, string Found, double? Score);

/// <summary>CircuitLens recovery of the planted circuits.</summary>
public sealed record CircuitLensScores(IReadOnlyList<PlantedFeatureScore> Features, double TopContributorShare, double PolysemanticAri);

/// <summary>
/// Compares what the methods found on the demo model with its manifest (issue: score-groundtruth): CircuitLens — rank of
/// the planted contributor (head with its Δ, or upstream feature) in each context's attribution, and the adjusted Rand
/// index of its clusters against the planted circuits of polysemantic features.
/// </summary>
public static class GroundTruthScorer
{
    public static CircuitLensScores ScoreCircuitLens(DemoManifest manifest, string circuitLensDir)
    {
        var scores = new List<PlantedFeatureScore>();
        int hits = 0, total = 0;
        var aris = new List<double>();
        foreach (var f in manifest.Features)
        {
            var id = new FeatureId(f.Layer, f.Index);
            if (!File.Exists(CircuitLensRunner.ReportPath(circuitLensDir, id))) continue;
            var report = CircuitLensRunner.LoadReport(circuitLensDir, id);
            var contexts = LoadContexts(circuitLensDir, id);
            double? score = null;
            string truth = f.Description;
            if (f.Heads.Count == 1 && f.Circuits.Count == 0)
            {
                var h = f.Heads[0];
                int ok = contexts.Count(c => c.Heads.Length > 0 && (c.Heads[0].Layer, c.Heads[0].Head, c.Heads[0].Delta) == (h.Layer, h.Head, h.Delta));
                (hits, total, score) = (hits + ok, total + contexts.Count, contexts.Count == 0 ? 0 : ok / (double)contexts.Count);
                truth += $" [head {h.Layer}.{h.Head} Δ={h.Delta}]";
            }
            else if (f.Upstream.Count == 1)
            {
                var u = f.Upstream[0];
                int ok = contexts.Count(c => c.Features.Length > 0 && (c.Features[0].Layer, c.Features[0].Feature) == (u.Layer, u.Index));
                (hits, total, score) = (hits + ok, total + contexts.Count, contexts.Count == 0 ? 0 : ok / (double)contexts.Count);
                truth += $" [from L{u.Layer} F{u.Index}]";
            }
            else if (f.Circuits.Count > 1)
            {
                var sets = f.Circuits.Select(c => manifest.TokenSets[c.TriggerSet].Select(t => t.Id).ToHashSet()).ToList();
                var labeled = contexts.Where(c => c.TargetPosition > 0).ToList();
                var truthLabels = labeled.Select(c => sets.FindIndex(s => s.Contains(c.InputIds[c.TargetPosition - 1]))).ToArray();
                score = AdjustedRandIndex.Compute(truthLabels, labeled.Select(c => c.Cluster).ToArray());
                aris.Add(score.Value);
                truth += $" [{f.Circuits.Count} circuits]";
            }
            scores.Add(new PlantedFeatureScore(f.Name, f.Layer, f.Index, truth, Summary(report, score), score));
        }
        return new CircuitLensScores(scores, total == 0 ? 0 : hits / (double)total, aris.Count == 0 ? double.NaN : aris.Average());
    }

    static string Summary(FeatureCircuitReport r, double? score)
    {
        int clusters = r.Clusters.Count(c => c.Label >= 0);
        string main = r.Clusters.FirstOrDefault()?.Description ?? "no contexts";
        return $"{clusters} cluster(s), {r.Contexts} ctx" + (score is double s ? $", score {s:F2}" : "") + $": {main}";
    }

    public static List<ContextAnalysis> LoadContexts(string dir, FeatureId f)
    {
        string path = CircuitLensRunner.ContextsPath(dir, f);
        return File.Exists(path) ? File.ReadLines(path).Select(l => JsonSerializer.Deserialize<ContextAnalysis>(l)!).ToList() : [];
    }
}
