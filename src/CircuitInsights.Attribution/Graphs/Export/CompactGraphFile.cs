using System.Text.Json;
using CircuitInsights.Formats;

namespace CircuitInsights.Attribution.Graphs.Export;

/// <summary>Creates, writes and reads <see cref="CompactGraph"/> files.</summary>
public static class CompactGraphFile
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    /// <param name="edgeTolerance">Keep edges whose share of their target's incoming |weight| exceeds this (plus all
    /// pruning-kept edges); 0 keeps every non-zero edge.</param>
    public static CompactGraph Create(AttributionGraph graph, PruneResult prune, GraphScores scores, float edgeTolerance = 1e-3f)
    {
        if (!(edgeTolerance >= 0)) throw new CircuitInsightsException($"edge tolerance must be ≥ 0 (got {edgeTolerance})");
        int n = graph.NodeCount;
        var nodes = new CompactNode[n];
        for (int i = 0; i < n; i++)
        {
            var node = graph.Node(i);
            var ids = NeuronpediaExporter.Node(graph, i, prune.CumulativeScores[i]);
            float? cumulative = float.IsFinite(prune.CumulativeScores[i]) ? prune.CumulativeScores[i] : null;
            nodes[i] = new CompactNode(ids.NodeId, node.Kind.ToString().ToLowerInvariant(), node.Layer, node.Position, node.Index,
                node.Activation, prune.NodeInfluence[i], cumulative, prune.NodeMask[i]);
        }
        var target = new List<int>(); var source = new List<int>(); var weight = new List<float>(); var kept = new List<bool>();
        long keptCount = 0;
        var sums = GraphInfluence.RowAbsSums(graph.Adjacency);
        for (int t = 0; t < n; t++)
        {
            var row = graph.Adjacency.Row(t);
            if (row.IsEmpty) continue;
            float cut = edgeTolerance * sums[t];
            for (int s = 0; s < n; s++)
            {
                float w = row[s];
                if (w == 0f) continue;
                bool k = prune.EdgeKept(t, s, w);
                if (!k && !(Math.Abs(w) > cut)) continue;
                target.Add(t); source.Add(s); weight.Add(w); kept.Add(k);
                if (k) keptCount++;
            }
        }
        return new CompactGraph
        {
            Prompt = graph.Prompt, Tokens = graph.Tokens, TokenTexts = graph.TokenTexts, EdgeTolerance = edgeTolerance,
            Info = GraphInfoJson.From(graph, prune, scores, keptCount), Nodes = nodes,
            Edges = new CompactEdges(target.ToArray(), source.ToArray(), weight.ToArray(), kept.ToArray()),
        };
    }

    public static void Write(string path, CompactGraph graph) => AtomicFile.Write(path, s => JsonSerializer.Serialize(s, graph, Options));

    /// <summary>Reads and checks a compact graph file (format, version, array lengths, node indices).</summary>
    public static CompactGraph Read(string path)
    {
        CompactGraph? g;
        try
        {
            using var stream = File.OpenRead(path);
            g = JsonSerializer.Deserialize<CompactGraph>(stream, Options);
        }
        catch (JsonException ex) { throw new CircuitInsightsException($"{path}: not a {CompactGraph.FormatName} file ({ex.Message})", ex); }
        catch (IOException ex) { throw new CircuitInsightsException($"{path}: cannot read ({ex.Message})", ex); }
        if (g is null) throw new CircuitInsightsException($"{path}: empty graph file");
        if (g.Format != CompactGraph.FormatName) throw new CircuitInsightsException($"{path}: format '{g.Format}', expected '{CompactGraph.FormatName}'");
        if (g.Version != CompactGraph.CurrentVersion) throw new CircuitInsightsException($"{path}: version {g.Version}, this build reads version {CompactGraph.CurrentVersion}");
        if (g.Nodes is null || g.Edges is null || g.Tokens is null || g.TokenTexts is null || g.Info is null)
            throw new CircuitInsightsException($"{path}: missing nodes, edges, tokens, token_texts or info");
        if (g.TokenTexts.Length != g.Tokens.Length) throw new CircuitInsightsException($"{path}: token_texts has {g.TokenTexts.Length} entries, tokens {g.Tokens.Length}");
        var e = g.Edges;
        int m = e.Target?.Length ?? -1;
        if (e.Source?.Length != m || e.Weight?.Length != m || e.Kept?.Length != m || m < 0)
            throw new CircuitInsightsException($"{path}: edges.target, source, weight and kept must have the same length");
        int n = g.Nodes.Length;
        for (int i = 0; i < m; i++)
            if ((uint)e.Target![i] >= (uint)n || (uint)e.Source![i] >= (uint)n)
                throw new CircuitInsightsException($"{path}: edge {i} refers to node {Math.Max(e.Target![i], e.Source![i])}, the graph has {n} nodes");
        return g;
    }
}
