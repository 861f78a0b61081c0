using System.CommandLine;
using System.Text.Json;
using CircuitInsights.Cli.Common;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Compare;
using CircuitInsights.WeightLens.Run;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>compare OURS THEIRS</c>: agreement of two WeightLens result directories (e.g. ours vs the authors' released files).</summary>
public static class CompareCommand
{
    public static Command Create(CliIO io)
    {
        var ours = new Argument<string>("ours") { Description = "A WeightLens result directory (feature_analysis_layer_{L}.json files)." };
        var theirs = new Argument<string>("theirs") { Description = "Another one, e.g. the authors' released files." };
        var layers = new Option<string>("--layers") { Description = "Only these layers, e.g. 0,3-5." };
        var json = new Option<string>("--json") { Description = "Also write the per-layer and per-feature comparison to this JSON file." };
        var cmd = new Command("compare", "Compare two WeightLens runs: features in each, share validated, Jaccard index of description token sets.");
        cmd.Arguments.Add(ours);
        cmd.Arguments.Add(theirs);
        cmd.Options.Add(layers);
        cmd.Options.Add(json);
        cmd.SetAction(pr =>
        {
            var only = pr.GetValue(layers) is { } l ? FeatureSelection.Parse(l, null, null).Layers : null;
            var (perLayer, perFeature) = RunComparison.Compare(pr.GetValue(ours)!, pr.GetValue(theirs)!, only?.ToArray());
            var o = io.Out;
            o.WriteLine($"{"layer",5} {"common",7} {"only-1",7} {"only-2",7} {"valid-1",8} {"valid-2",8} {"both",6} {"described",10} {"jaccard",8} {"identical",10}");
            foreach (var c in perLayer)
                o.WriteLine($"{c.Layer,5} {c.Common,7} {c.OnlyOurs,7} {c.OnlyTheirs,7} {Share(c.ValidatedOurs, c.Common),8} {Share(c.ValidatedTheirs, c.Common),8} {c.ValidatedBoth,6} {c.DescribedEither,10} {c.MeanJaccard,8:F3} {c.IdenticalDescriptions,10}");
            int common = perLayer.Sum(c => c.Common), described = perLayer.Sum(c => c.DescribedEither);
            double jaccard = described == 0 ? 1 : perFeature.Sum(f => f.Jaccard) / described;
            o.WriteLine($"{"all",5} {common,7} {perLayer.Sum(c => c.OnlyOurs),7} {perLayer.Sum(c => c.OnlyTheirs),7} {Share(perLayer.Sum(c => c.ValidatedOurs), common),8} {Share(perLayer.Sum(c => c.ValidatedTheirs), common),8} {perLayer.Sum(c => c.ValidatedBoth),6} {described,10} {jaccard,8:F3} {perLayer.Sum(c => c.IdenticalDescriptions),10}");
            if (pr.GetValue(json) is { } path)
            {
                AtomicFile.Write(path, s => JsonSerializer.Serialize(s, new { layers = perLayer, features = perFeature }, new JsonSerializerOptions { WriteIndented = true }));
                io.Note($"wrote {path}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static string Share(int n, int of) => of == 0 ? "-" : $"{100.0 * n / of:F1}%";
}
