using System.CommandLine;
using System.Globalization;
using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Attribution.Graphs.Export;
using CircuitInsights.Cli.Common;
using CircuitInsights.Transcoders;
using Spectre.Console;

namespace CircuitInsights.Cli.Commands;

/// <summary><c>attribute</c>: build, prune and save the attribution graph of a prompt (circuit-tracer <c>attribute</c>; docs/attribution.md).</summary>
public static class AttributeCommand
{
    public static Command Create(CliIO io)
    {
        var model = ModelOptions.Model();
        var transcoders = TranscoderOptions.Transcoders();
        var transcoderFormat = TranscoderOptions.Format();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text.", Required = true };
        var bos = TranscoderOptions.PrependBos();
        var maxFeatures = new Option<string>("--max-feature-nodes") { Description = "Most feature nodes, or 'all' (0 = all, as circuit-tracer). Over the limit, features are chosen by estimated influence.", DefaultValueFactory = _ => "7500" };
        var maxLogits = new Option<int>("--max-n-logits") { Description = "Most logit nodes.", DefaultValueFactory = _ => 10 };
        var logitProb = new Option<float>("--desired-logit-prob") { Description = "Keep top logits until their cumulative probability reaches this.", DefaultValueFactory = _ => 0.95f };
        var nodeThreshold = new Option<float>("--node-threshold") { Description = "Pruning: keep the nodes carrying this share of influence.", DefaultValueFactory = _ => 0.8f };
        var edgeThreshold = new Option<float>("--edge-threshold") { Description = "Pruning: keep the edges carrying this share of edge influence.", DefaultValueFactory = _ => 0.98f };
        var batch = new Option<int>("--batch-size") { Description = "Feature rows per attribution batch (and between influence re-rankings ×4).", DefaultValueFactory = _ => 256 };
        var zeroBos = new Option<bool>("--zero-bos") { Description = "Zero features at position 0 (default; circuit-tracer)." };
        var keepBos = new Option<bool>("--keep-bos") { Description = "Keep features at position 0 as graph nodes." };
        var budget = new Option<string>("--memory-budget") { Description = "Refuse graphs whose estimated memory exceeds this (e.g. 8G, 512M; a bare number is GiB).", DefaultValueFactory = _ => "8G" };
        var output = new Option<string>("--out", "-o") { Description = "Output file.", Required = true };
        var format = new Option<string>("--format") { Description = "neuronpedia (circuit-tracer frontend JSON of the pruned graph) or compact (all nodes, sparse edges, pruning flags).", DefaultValueFactory = _ => "neuronpedia" };
        format.AcceptOnlyFromAmong("neuronpedia", "compact");
        var slug = new Option<string?>("--slug") { Description = "Graph slug (default: derived from the prompt)." };
        var scan = new Option<string?>("--scan") { Description = "Transcoder-set name for Neuronpedia (default: the model name)." };
        var tolerance = new Option<float>("--edge-tolerance") { Description = "compact format: keep edges above this share of their target's incoming |weight|.", DefaultValueFactory = _ => 1e-3f };
        var top = new Option<int>("--top") { Description = "Features listed in the summary.", DefaultValueFactory = _ => 10 };

        var cmd = new Command("attribute", "Build the attribution graph of a prompt, prune it and save it (Neuronpedia / circuit-tracer JSON or compact).");
        foreach (var o in new Option[] { model, transcoders, transcoderFormat, prompt, bos, maxFeatures, maxLogits, logitProb, nodeThreshold, edgeThreshold, batch, zeroBos, keepBos, budget, output, format, slug, scan, tolerance, top })
            cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            if (pr.GetValue(zeroBos) && pr.GetValue(keepBos)) throw new CircuitInsightsException("give at most one of --zero-bos and --keep-bos");
            var options = new GraphBuildOptions
            {
                MaxFeatureNodes = ParseMaxFeatures(pr.GetValue(maxFeatures)!), MaxLogits = pr.GetValue(maxLogits), DesiredLogitProbability = pr.GetValue(logitProb),
                BatchSize = pr.GetValue(batch), ZeroFirstPosition = !pr.GetValue(keepBos), MemoryBudgetBytes = ByteSize.Parse(pr.GetValue(budget)!, "--memory-budget"),
            };
            var request = new Request(pr.GetValue(model)!, pr.GetValue(transcoders)!, pr.GetValue(transcoderFormat), pr.GetValue(prompt)!, pr.GetValue(bos), options,
                pr.GetValue(nodeThreshold), pr.GetValue(edgeThreshold), pr.GetValue(output)!, pr.GetValue(format)!, pr.GetValue(slug), pr.GetValue(scan),
                pr.GetValue(tolerance), pr.GetValue(top));
            return Run(request, io);
        });
        return cmd;
    }

    sealed record Request(string Model, string Transcoders, string? TranscoderFormat, string Prompt, bool? Bos, GraphBuildOptions Options,
        float NodeThreshold, float EdgeThreshold, string Output, string Format, string? Slug, string? Scan, float EdgeTolerance, int Top);

    static int? ParseMaxFeatures(string text)
    {
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 0)
            throw new CircuitInsightsException($"--max-feature-nodes: '{text}' is not a non-negative integer or 'all'");
        return n == 0 ? null : n;
    }

    static int Run(Request r, CliIO io)
    {
        if (!(r.NodeThreshold >= 0 && r.NodeThreshold <= 1)) throw new CircuitInsightsException($"--node-threshold must be between 0 and 1 (got {r.NodeThreshold})");
        if (!(r.EdgeThreshold >= 0 && r.EdgeThreshold <= 1)) throw new CircuitInsightsException($"--edge-threshold must be between 0 and 1 (got {r.EdgeThreshold})");
        if (r.Top < 0) throw new CircuitInsightsException("--top must be ≥ 0");
        r.Options.Validate();
        using var model = ModelOptions.Load(r.Model, io);
        using var set = TranscoderOptions.Load(r.Transcoders, r.TranscoderFormat, io);
        var replacement = new ReplacementModel(model.Decoder, set);
        var tokens = TranscoderOptions.PromptTokens(model, r.Prompt, r.Bos);
        io.Note($"prompt: {tokens.Length} tokens");

        var builder = new AttributionGraphBuilder(replacement, model.Tokenizer, model.Name);
        AttributionGraph graph = null!;
        WithProgress(io, report => graph = builder.Build(tokens, r.Options, r.Prompt, report));

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var prune = GraphPruner.Prune(graph, r.NodeThreshold, r.EdgeThreshold);
        var scores = GraphScores.Compute(graph, prune.NodeInfluence);
        io.Note($"pruned in {sw.Elapsed.TotalSeconds:F2} s");

        string slug = r.Slug ?? Slugify(r.Prompt);
        string scan = r.Scan ?? model.Name;
        long keptEdges;
        if (r.Format == "compact")
        {
            var compact = CompactGraphFile.Create(graph, prune, scores, r.EdgeTolerance);
            CompactGraphFile.Write(r.Output, compact);
            keptEdges = compact.Info.KeptEdges;
            io.Out.WriteLine($"wrote {r.Output} (compact: {compact.Nodes.Length} nodes, {compact.Edges.Target.Length} edges, {new FileInfo(r.Output).Length / 1024.0:F1} KiB)");
        }
        else
        {
            var json = NeuronpediaExporter.Create(graph, prune, scores, slug, scan);
            NeuronpediaExporter.Write(r.Output, json);
            keptEdges = json.Links.Count;
            io.Out.WriteLine($"wrote {r.Output} (neuronpedia: {json.Nodes.Count} nodes, {json.Links.Count} links, {new FileInfo(r.Output).Length / 1024.0:F1} KiB)");
        }
        PrintSummary(io.Out, graph, prune, scores, keptEdges, r.Top);
        return ExitCodes.Ok;
    }

    /// <summary>Runs the build with a Spectre progress bar per phase on a terminal, and one line per finished phase otherwise.</summary>
    internal static void WithProgress(CliIO io, Action<Action<GraphBuildProgress>> build)
    {
        if (!io.IsInteractive)
        {
            build(p => { if (p.Finished) io.Note(p.ToString()); });
            return;
        }
        io.ProgressConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<int, ProgressTask>();
                build(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out var task))
                        tasks[p.Phase] = task = ctx.AddTask($"{p.Phase} {p.Name}", maxValue: Math.Max(1, p.Total));
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    if (p.Finished)
                    {
                        task.Description = $"{p.Phase} {p.Name}{(p.Message is null ? "" : $" ({Markup.Escape(p.Message)})")}";
                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                });
            });
    }

    static void PrintSummary(TextWriter o, AttributionGraph g, PruneResult prune, GraphScores scores, long keptEdges, int top)
    {
        int kind(GraphNodeKind k) => Enumerable.Range(0, g.NodeCount).Count(i => prune.NodeMask[i] && g.KindOf(i) == k);
        o.WriteLine($"graph: {g.NodeCount} nodes ({g.FeatureCount} of {g.Info.ActiveFeatureCount} active features, {g.Layers * g.Positions} error, {g.Positions} embedding, {g.Logits.Length} logit)");
        o.WriteLine($"pruned (node {prune.NodeThreshold}, edge {prune.EdgeThreshold}): kept {prune.KeptNodeCount} nodes ({kind(GraphNodeKind.Feature)} features, {kind(GraphNodeKind.Error)} errors), {keptEdges} edges");
        o.WriteLine($"replacement score {scores.Replacement:F4}, completeness score {scores.Completeness:F4}");
        o.WriteLine("logits: " + string.Join(", ", g.Logits.Select((l, i) => $"{Quote(g.LogitTexts[i])} p={l.Probability:F3}")));
        var best = Enumerable.Range(0, g.FeatureCount).Where(i => prune.NodeMask[i]).OrderByDescending(i => prune.NodeInfluence[i]).Take(top).ToArray();
        if (best.Length == 0) return;
        o.WriteLine($"top {best.Length} features by influence:");
        o.WriteLine($"  {"layer",5} {"pos",4} {"feature",8} {"activation",10} {"influence",10}  token");
        foreach (int i in best)
        {
            var n = g.Node(i);
            o.WriteLine($"  {n.Layer,5} {n.Position,4} {n.Index,8} {n.Activation,10:G4} {prune.NodeInfluence[i],10:G4}  {Quote(g.TokenTexts[n.Position])}");
        }
    }

    static string Quote(string s) => "\"" + s.Replace("\n", "\\n").Replace("\"", "\\\"") + "\"";

    static string Slugify(string prompt)
    {
        var chars = prompt.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        string s = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return s.Length == 0 ? "graph" : s[..Math.Min(s.Length, 48)];
    }
}
