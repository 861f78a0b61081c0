using System.Globalization;
using System.Text.Json;
using CircuitInsights.Formats;

namespace CircuitInsights.Attribution.Graphs.Export;

/// <summary>
/// Writes the pruned graph as circuit-tracer's frontend JSON (<c>create_graph_files</c>, reference.md §1.4c): nodes of
/// the node mask, edges of the edge mask between them (row-major: by target, then source), then only the nodes that
/// touch a kept edge plus every embedding and logit node.
/// </summary>
public static class NeuronpediaExporter
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <param name="slug">Graph identifier (file name on Neuronpedia).</param>
    /// <param name="scan">Transcoder-set identifier on Neuronpedia (e.g. "gpt2-small" or a custom name).</param>
    public static NeuronpediaGraph Create(AttributionGraph graph, PruneResult prune, GraphScores scores, string slug, string scan, IReadOnlyList<string>? transcoderList = null)
    {
        int n = graph.NodeCount;
        if (prune.NodeMask.Length != n) throw new ArgumentException($"prune result has {prune.NodeMask.Length} nodes, the graph {n}");
        var nodes = new Dictionary<int, NeuronpediaNode>();
        for (int i = 0; i < n; i++)
            if (prune.NodeMask[i]) nodes[i] = Node(graph, i, prune.CumulativeScores[i]);

        var links = new List<NeuronpediaLink>();
        var connected = new HashSet<int>();
        var a = graph.Adjacency;
        for (int t = 0; t < n; t++)
        {
            if (!nodes.ContainsKey(t)) continue;
            var row = a.Row(t);
            if (row.IsEmpty) continue;
            for (int s = 0; s < n; s++)
            {
                float w = row[s];
                if (w == 0f || !nodes.ContainsKey(s) || !prune.EdgeKept(t, s, w)) continue;
                links.Add(new NeuronpediaLink(nodes[s].NodeId, nodes[t].NodeId, w));
                connected.Add(s);
                connected.Add(t);
            }
        }
        var used = nodes.Where(kv => connected.Contains(kv.Key) || kv.Value.FeatureType is GraphNodeIds.EmbeddingType or GraphNodeIds.LogitType)
            .OrderBy(kv => kv.Key).Select(kv => kv.Value).ToArray();
        var metadata = new NeuronpediaMetadata(slug, scan, transcoderList ?? [], graph.TokenTexts, graph.Prompt, prune.NodeThreshold, 1,
            GraphInfoJson.From(graph, prune, scores, links.Count));
        return new NeuronpediaGraph(metadata, NeuronpediaQParams.Default, used, links);
    }

    /// <summary>The frontend node for graph node <paramref name="i"/> (circuit-tracer <c>Node.*_node</c>).</summary>
    public static NeuronpediaNode Node(AttributionGraph graph, int i, float cumulativeScore)
    {
        var node = graph.Node(i);
        float? influence = float.IsFinite(cumulativeScore) ? cumulativeScore : null;
        string layer = node.Layer.ToString(CultureInfo.InvariantCulture);
        switch (node.Kind)
        {
            case GraphNodeKind.Feature:
                return new NeuronpediaNode(GraphNodeIds.Feature(node.Layer, node.Index, node.Position), GraphNodeIds.Cantor(node.Layer, node.Index),
                    layer, node.Position, GraphNodeIds.FeatureType, 0f, false, 0, 0, $"{node.Layer}_{node.Index}-0", "", influence, node.Activation);
            case GraphNodeKind.Error:
                string id = GraphNodeIds.Error(node.Layer, node.Position);
                return new NeuronpediaNode(id, -1, layer, node.Position, GraphNodeIds.ErrorType, 0f, false, 0, 0, id + "-0", "", influence, null);
            case GraphNodeKind.Embedding:
                return new NeuronpediaNode(GraphNodeIds.Embedding(node.Index, node.Position), node.Position, "E", node.Position,
                    GraphNodeIds.EmbeddingType, 0f, false, 0, 0, $"E_{node.Index}-{node.Position}", "", influence, null);
            default:
                int k = i - graph.LogitOffset;
                string p = node.Activation.ToString("F3", CultureInfo.InvariantCulture);
                return new NeuronpediaNode(GraphNodeIds.Logit(graph.Layers, node.Index, node.Position), node.Index,
                    (graph.Layers + 1).ToString(CultureInfo.InvariantCulture), node.Position, GraphNodeIds.LogitType, node.Activation, k == 0, 0, 0,
                    $"L_{node.Index}-{node.Position}", $"Output \"{graph.LogitTexts[k]}\" (p={p})", null, null);
        }
    }

    public static void Write(string path, NeuronpediaGraph graph) =>
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, graph, JsonOptions));

    public static NeuronpediaGraph Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<NeuronpediaGraph>(stream, JsonOptions) ?? throw new CircuitInsightsException($"{path}: empty graph file");
        }
        catch (JsonException e) { throw new CircuitInsightsException($"{path}: not a graph JSON file ({e.Message})", e); }
        catch (IOException e) { throw new CircuitInsightsException($"{path}: cannot read ({e.Message})", e); }
    }
}
