using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Demo;

namespace CircuitInsights.Cli.Commands;

/// <summary>
/// <c>score-groundtruth</c>: scores the outputs in a run folder (<c>weightlens/</c>, <c>circuitlens/</c>, <c>graph.json</c>)
/// against a demo model's ground-truth manifest — for runs made with the individual commands, not only by <c>demo</c>.
/// </summary>
public static class ScoreGroundTruthCommand
{
    public static Command Create(CliIO io)
    {
        var manifest = new Option<string?>("--manifest") { Description = "Ground-truth manifest.json of a demo model, or its folder (default: the built-in demo model's)." };
        var run = new Option<string>("--run") { Description = "Run folder holding weightlens/, circuitlens/ and/or graph.json.", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the scores to this JSON file." };
        var cmd = new Command("score-groundtruth", "Score WeightLens, CircuitLens and attribution-graph outputs against the planted ground truth of a demo model.");
        cmd.Options.Add(manifest); cmd.Options.Add(run); cmd.Options.Add(json);
        cmd.SetAction(pr =>
        {
            string path = pr.GetValue(manifest) ?? Path.Combine(DemoModelGenerator.DefaultDirectory(), DemoManifest.FileName);
            if (Directory.Exists(path)) path = Path.Combine(path, DemoManifest.FileName);
            if (!File.Exists(path)) throw new CircuitInsightsException($"--manifest {path}: no such file (generate the demo model with 'circuit-insights demo' or name its manifest.json)");
            var report = GroundTruthReport.ScoreRun(DemoManifest.Load(path), pr.GetValue(run)!);
            report.Print(io.Out);
            if (pr.GetValue(json) is { } j)
            {
                report.Write(j);
                io.Out.WriteLine($"wrote {j}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
