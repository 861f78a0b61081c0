using System.Diagnostics;
using CircuitInsights.Cli;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Run;
using CircuitInsights.WeightLens.Tests.Support;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Tests.Run;

/// <summary>WeightLens on the built-in demo model against its ground-truth manifest, and the CLI's kill-and-resume.</summary>
public class DemoModelTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    static (double Precision, double Recall) Score(IEnumerable<(IEnumerable<string> Found, IEnumerable<string> Planted)> items)
    {
        int tp = 0, found = 0, planted = 0;
        foreach (var (f, p) in items)
        {
            var fs = f.ToHashSet();
            var ps = p.ToHashSet();
            tp += fs.Intersect(ps).Count();
            found += fs.Count;
            planted += ps.Count;
        }
        return (found == 0 ? 0 : (double)tp / found, planted == 0 ? 1 : (double)tp / planted);
    }

    [Fact]
    public void Describe_DemoModel_RecoversThePlantedManifest()
    {
        var records = new WeightLensRunner(demo.Lens, new WeightLensOptions()).Describe(FeatureSelection.All)
            .SelectMany(kv => kv.Value).ToDictionary(r => r.Feature);
        string[] Set(string? name) => name is null ? [] : demo.Manifest.TokenSets[name].Select(t => t.Text).ToArray();
        FeatureRecord Of(Demo.PlantedFeature f) => records[new FeatureId(f.Layer, f.Index)];
        var explainable = demo.Manifest.Features.Where(f => f.WeightExplainable).ToList();
        Assert.Equal(11, explainable.Count);

        foreach (var kind in new[] { "token_detector", "inherited", "output" })
        {
            var (p, r) = Score(explainable.Where(f => f.Kind == kind).Select(f => ((IEnumerable<string>)(Of(f).Description ?? []), (IEnumerable<string>)Set(f.InputSet))));
            Assert.True(p >= 0.95 && r >= 0.95, $"{kind} descriptions: precision {p:F3}, recall {r:F3}");
            Assert.All(explainable.Where(f => f.Kind == kind), f => Assert.True(Of(f).Validation, f.Name));
        }
        var outputs = explainable.Where(f => f.Kind == "output").ToList();
        var (op, or) = Score(outputs.Select(f => ((IEnumerable<string>)Of(f).OutputTopPositiveTokens.Concat(Of(f).OutputTopNegativeTokens), (IEnumerable<string>)Set(f.PromotedSet).Concat(Set(f.SuppressedSet)))));
        Assert.True(op >= 0.95 && or >= 0.95, $"output tokens: precision {op:F3}, recall {or:F3}");
        foreach (var f in explainable.Where(f => f.Upstream.Count > 0))
        {
            var links = Of(f).FeatureToFeatureContributions.Select(c => (c.FromLayer, c.FromFeatureIdx)).ToHashSet();
            var (lp, lr) = Score([(links.Select(l => l.ToString()), f.Upstream.Select(u => (u.Layer, u.Index).ToString()))]);
            Assert.True(lr == 1 && lp >= 0.95, $"{f.Name} upstream features: precision {lp:F3}, recall {lr:F3}");
        }
        // context and polysemantic features are not explained by weights: reported as not validated, no description
        foreach (var f in demo.Manifest.Features.Where(f => !f.WeightExplainable))
        {
            Assert.False(Of(f).Validation, f.Name);
            Assert.Null(Of(f).Description);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Cli_KilledAfterFirstCheckpoint_ResumesToTheUninterruptedFiles()
    {
        string root = Testing.CheckpointDirectory.CreateTemp("ci-wl-cli");
        try
        {
            string full = Path.Combine(root, "full"), resumed = Path.Combine(root, "resumed");
            string[] Args(string o) => ["weightlens", "--model", demo.ModelDir, "--transcoders", demo.TranscoderDir, "--out", o, "--batch", "32", "--threads", "1"];
            var err = new StringWriter();
            Assert.True(CliApp.Run(Args(full), new StringWriter(), err) == 0, err.ToString());

            string dll = Path.Combine(AppContext.BaseDirectory, "circuit-insights.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in Args(resumed).Append("--debug-batch-delay-ms").Append("300").Prepend(dll)) start.ArgumentList.Add(a);
            using (var process = Process.Start(start)!)
            {
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                string checkpoints = Path.Combine(resumed, ".weightlens", "analysis");
                var clock = Stopwatch.StartNew();
                while (!(Directory.Exists(checkpoints) && Directory.GetFiles(checkpoints, "*.json").Length > 0))
                {
                    Assert.False(process.HasExited, "the run ended before its first checkpoint");
                    Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint within 3 minutes");
                    Thread.Sleep(20);
                }
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            Assert.False(File.Exists(Path.Combine(resumed, RunSummary.FileName)), "killed before finishing");
            err = new StringWriter();
            Assert.True(CliApp.Run(Args(resumed), new StringWriter(), err) == 0, err.ToString());
            Assert.Contains("resuming", err.ToString());
            OutputFiles.AssertIdentical(full, resumed);
        }
        finally { try { Directory.Delete(root, true); } catch (IOException) { } }
    }
}
