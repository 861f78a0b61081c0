using System.Text.Json.Serialization;
using CircuitInsights.Attribution.Graphs.Export;

namespace CircuitInsights.Demo;

/// <summary>Whether an attribution graph of a planted graph prompt contains its planted feature → feature edge.</summary>
public sealed record GraphPathScore
{
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("target")] public required string Target { get; init; }
    /// <summary>Both planted nodes survived pruning.</summary>
    [JsonPropertyName("nodes_kept")] public required bool NodesKept { get; init; }
    /// <summary>The source → target edge survived pruning, with a positive weight.</summary>
    [JsonPropertyName("edge_kept")] public required bool EdgeKept { get; init; }
    [JsonPropertyName("edge_weight")] public float? EdgeWeight { get; init; }
    /// <summary>Rank of the planted source among the target's kept inputs by |weight| (1 = strongest), null when absent.</summary>
    [JsonPropertyName("source_rank")] public int? SourceRank { get; init; }
    [JsonPropertyName("kept_nodes")] public required int KeptNodes { get; init; }
    [JsonPropertyName("kept_links")] public required int KeptLinks { get; init; }

    [JsonIgnore] public bool Recovered => NodesKept && EdgeKept && SourceRank == 1;
}

/// <summary>Scores an exported graph (Neuronpedia / circuit-tracer JSON) against a planted graph prompt of the manifest.</summary>
public static class GraphGroundTruth
{
    public static GraphPathScore Score(GraphPrompt planted, string graphJsonPath) => Score(planted, NeuronpediaExporter.Read(graphJsonPath));

    public static GraphPathScore Score(GraphPrompt planted, NeuronpediaGraph graph)
    {
        string source = GraphNodeIds.Feature(planted.Source.Layer, planted.Source.Index, planted.SourcePosition);
        string target = GraphNodeIds.Feature(planted.Target.Layer, planted.Target.Index, planted.TargetPosition);
        var ids = graph.Nodes.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Links.Where(l => l.Target == target).OrderByDescending(l => Math.Abs(l.Weight)).ToList();
        int at = inputs.FindIndex(l => l.Source == source);
        float? weight = at >= 0 ? inputs[at].Weight : null;
        return new GraphPathScore
        {
            Prompt = planted.Prompt, Source = source, Target = target,
            NodesKept = ids.Contains(source) && ids.Contains(target), EdgeKept = weight > 0, EdgeWeight = weight,
            SourceRank = at >= 0 ? at + 1 : null, KeptNodes = graph.Nodes.Count, KeptLinks = graph.Links.Count,
        };
    }
}
