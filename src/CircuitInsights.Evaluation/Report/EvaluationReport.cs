using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitInsights.Formats;

namespace CircuitInsights.Evaluation.Report;

/// <summary>
/// Writes an evaluation's outputs into a folder:
/// <list type="bullet">
/// <item><c>scores.jsonl</c>: one <see cref="FeatureScores"/> per (method, feature);</item>
/// <item><c>summary.json</c>: <see cref="MethodLayerSummary"/> per method and layer, and the run's settings;</item>
/// <item><c>report.md</c>: the paper-shaped table (method × layer: Clarity / Responsiveness / Purity / Faithfulness means),
/// per-layer mean/median tables with the share of features described, ground truth next to FADE scores when given, and
/// the plots;</item>
/// <item><c>plots/{clarity,responsiveness,purity,faithfulness,described}.png</c>.</item>
/// </list>
/// </summary>
public static class EvaluationReport
{
    static readonly JsonSerializerOptions Line = new() { WriteIndented = false };
    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    public static void Write(string dir, IReadOnlyList<FeatureScores> scores, IReadOnlyList<string> methods,
        IReadOnlyDictionary<string, string> settings, IReadOnlyList<GroundTruthEntry>? groundTruth = null)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, "scores.jsonl"), s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true);
            foreach (var sc in scores) w.WriteLine(JsonSerializer.Serialize(sc, Line));
        });
        var summaries = MethodLayerSummary.Of(scores, methods);
        AtomicFile.Write(Path.Combine(dir, "summary.json"), s => JsonSerializer.Serialize(s, new { settings, summaries }, Pretty));
        var layers = scores.Select(s => s.Layer).Distinct().Order().ToArray();
        var present = methods.Where(m => scores.Any(s => s.Method == m)).ToArray();
        string plots = Path.Combine(dir, "plots");
        MethodLayerSummary? Get(string m, int l) => summaries.FirstOrDefault(x => x.Method == m && x.Layer == l);
        ReportPlots.GroupedBars(Path.Combine(plots, "clarity.png"), "Clarity (mean)", "clarity", present, layers, (m, l) => Get(m, l)?.Clarity.Mean);
        ReportPlots.GroupedBars(Path.Combine(plots, "responsiveness.png"), "Responsiveness (mean)", "responsiveness", present, layers, (m, l) => Get(m, l)?.Responsiveness.Mean);
        ReportPlots.GroupedBars(Path.Combine(plots, "purity.png"), "Purity (mean)", "purity", present, layers, (m, l) => Get(m, l)?.Purity.Mean);
        ReportPlots.GroupedBars(Path.Combine(plots, "faithfulness.png"), "Faithfulness (mean, gated)", "faithfulness", present, layers, (m, l) => Get(m, l)?.Faithfulness.Mean);
        ReportPlots.GroupedBars(Path.Combine(plots, "described.png"), "Share of features described", "share", present, layers, (m, l) => Get(m, l)?.DescribedShare);
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), Markdown(scores, present, layers, summaries, settings, groundTruth));
    }

    public static string Markdown(IReadOnlyList<FeatureScores> scores, IReadOnlyList<string> methods, IReadOnlyList<int> layers,
        IReadOnlyList<MethodLayerSummary> summaries, IReadOnlyDictionary<string, string> settings, IReadOnlyList<GroundTruthEntry>? groundTruth)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# FADE evaluation of feature descriptions").AppendLine();
        foreach (var (k, v) in settings) sb.AppendLine($"- {k}: {v}");
        sb.AppendLine($"- features × methods scored: {scores.Count}").AppendLine();
        sb.AppendLine("Metrics (FADE, docs/evaluation.md): Clarity C, Responsiveness R, Purity P, Faithfulness F (only where C ≥ 0.5 and R ≥ 0.5). " +
                      "Means over the features a method describes; – = no value.").AppendLine();

        sb.AppendLine("## Method × layer (mean C / R / P / F)").AppendLine();
        sb.Append("| method |").AppendJoin("", layers.Select(l => $" L{l} |")).AppendLine();
        sb.Append("|---|").AppendJoin("", layers.Select(_ => "---|")).AppendLine();
        foreach (var m in methods)
        {
            sb.Append($"| {m} |");
            foreach (int l in layers)
            {
                var x = summaries.FirstOrDefault(s => s.Method == m && s.Layer == l);
                sb.Append(x is null ? " |" : $" {F(x.Clarity.Mean)} / {F(x.Responsiveness.Mean)} / {F(x.Purity.Mean)} / {F(x.Faithfulness.Mean)} |");
            }
            sb.AppendLine();
        }
        sb.AppendLine();

        sb.AppendLine("## Per layer and method").AppendLine();
        sb.AppendLine("| layer | method | features | described | C mean | C median | R mean | R median | P mean | P median | F mean | F median | F computed |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var x in summaries.OrderBy(s => s.Layer).ThenBy(s => IndexOf(methods, s.Method)))
            sb.AppendLine($"| L{x.Layer} | {x.Method} | {x.Features} | {x.DescribedShare:P0} | {F(x.Clarity.Mean)} | {F(x.Clarity.Median)} | {F(x.Responsiveness.Mean)} | {F(x.Responsiveness.Median)} | {F(x.Purity.Mean)} | {F(x.Purity.Median)} | {F(x.Faithfulness.Mean)} | {F(x.Faithfulness.Median)} | {x.Faithfulness.Count} |");
        sb.AppendLine();

        if (groundTruth is { Count: > 0 })
        {
            sb.AppendLine("## Ground truth next to FADE").AppendLine();
            sb.AppendLine("Token F1 = agreement of the description's tokens with the planted token set (lemmas); then FADE C / R / P / F.").AppendLine();
            var extraKeys = groundTruth.SelectMany(g => g.Extra?.Keys ?? []).Distinct().Order(StringComparer.Ordinal).ToArray();
            sb.Append("| feature | truth |").AppendJoin("", methods.Select(m => $" {m}: token F1 | {m}: C / R / P / F |")).AppendJoin("", extraKeys.Select(k => $" {k} |")).AppendLine();
            sb.Append("|---|---|").AppendJoin("", methods.Select(_ => "---|---|")).AppendJoin("", extraKeys.Select(_ => "---|")).AppendLine();
            foreach (var g in groundTruth)
            {
                sb.Append($"| L{g.Layer} F{g.Feature} {Escape(g.Name)} | {Escape(g.Truth)} |");
                foreach (var m in methods)
                {
                    var s = scores.FirstOrDefault(x => x.Method == m && x.Layer == g.Layer && x.Feature == g.Feature);
                    double? f1 = s is null || g.TruthTokens.Count == 0 ? null : TokenAgreement.F1(s.Described ? s.Tokens : [], g.TruthTokens);
                    sb.Append(s is null ? " | |" : $" {F(f1)} | {(s.Described ? $"{F(s.Clarity)} / {F(s.Responsiveness)} / {F(s.Purity)} / {F(s.Faithfulness)}" : "not described")} |");
                }
                foreach (var k in extraKeys) sb.Append($" {F(g.Extra is not null && g.Extra.TryGetValue(k, out var v) ? v : null)} |");
                sb.AppendLine();
            }
            sb.AppendLine();
        }

        sb.AppendLine("## Plots").AppendLine();
        foreach (var p in new[] { "clarity", "responsiveness", "purity", "faithfulness", "described" })
            sb.AppendLine($"![{p}](plots/{p}.png)");
        sb.AppendLine();
        sb.AppendLine("## Descriptions").AppendLine();
        sb.AppendLine("| feature | method | C | R | P | F | description |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in scores.OrderBy(s => s.Layer).ThenBy(s => s.Feature).ThenBy(s => IndexOf(methods, s.Method)))
            sb.AppendLine($"| L{s.Layer} F{s.Feature} | {s.Method} | {F(s.Clarity)} | {F(s.Responsiveness)} | {F(s.Purity)} | {F(s.Faithfulness)} | {Escape(Clip(s.Description ?? "(not described)", 160))} |");
        return sb.ToString();
    }

    static string F(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("F2", CultureInfo.InvariantCulture) : "–";
    static string Escape(string s) => s.Replace("|", "\\|").ReplaceLineEndings(" ");
    static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    static int IndexOf(IReadOnlyList<string> order, string method)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == method) return i;
        return order.Count;
    }
}
