using System.CommandLine;
using CircuitInsights.Cli.Common;
using CircuitInsights.Storage.Query;
using CircuitInsights.Web.Plots;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>plot</c>: PNG/SVG figures from a feature store (ScottPlot).</summary>
public static class PlotCommand
{
    public static Command Create(CliIO io)
    {
        var db = new Option<string>("--db") { Description = "Feature store (.sqlite).", Required = true };
        var kind = new Option<string>("--kind", "-k") { Description = "histogram | logits | clusters | graph.", Required = true };
        kind.AcceptOnlyFromAmong("histogram", "logits", "clusters", "graph");
        var feature = new Option<string?>("--feature", "-f") { Description = "Feature LAYER:INDEX (histogram, logits, clusters)." };
        var graph = new Option<long?>("--graph") { Description = "Graph id (kind graph; see the explorer or 'store export')." };
        var threshold = new Option<double>("--threshold") { DefaultValueFactory = _ => 0, Description = "Graph: leave out edges with |w| below this fraction of the largest." };
        var output = new Option<string>("--out", "-o") { Description = "Output file (.png or .svg).", Required = true };
        var cmd = new Command("plot", "Plot a feature's activation histogram, logit effects or cluster sizes, or an attribution graph layout (PNG/SVG).");
        foreach (var o in new Option[] { db, kind, feature, graph, threshold, output }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            using var store = FeatureStore.Open(pr.GetValue(db)!);
            string path = pr.GetValue(output)!;
            string k = pr.GetValue(kind)!;
            if (k == "graph")
            {
                long id = pr.GetValue(graph) ?? throw new CircuitInsightsException("--kind graph needs --graph ID");
                double t = pr.GetValue(threshold);
                if (t is < 0 or > 1) throw new CircuitInsightsException("--threshold must be in [0, 1]");
                FeaturePlots.Graph(store, id, path, t);
            }
            else
            {
                var f = FeatureId.ParseList(pr.GetValue(feature) ?? throw new CircuitInsightsException($"--kind {k} needs --feature LAYER:INDEX"));
                if (f.Count != 1) throw new CircuitInsightsException("--feature: give exactly one LAYER:INDEX");
                if (k == "histogram") FeaturePlots.Histogram(store, f[0].Layer, f[0].Index, path);
                else if (k == "logits") FeaturePlots.Logits(store, f[0].Layer, f[0].Index, path);
                else FeaturePlots.Clusters(store, f[0].Layer, f[0].Index, path);
            }
            io.Out.WriteLine($"wrote {path}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
