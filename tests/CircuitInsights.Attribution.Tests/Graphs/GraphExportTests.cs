using System.Text.Json;
using System.Text.RegularExpressions;
using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Attribution.Graphs.Export;
using CircuitInsights.Testing;

namespace CircuitInsights.Attribution.Tests.Graphs;

public class GraphExportTests
{
    static (AttributionGraph Graph, PruneResult Prune, GraphScores Scores) Graph(int seed = 21)
    {
        var rm = GraphTestModels.Build(seed);
        var tokens = TestRandom.Tokens(new Random(seed), 10, GraphTestModels.Config.Vocab);
        var g = new AttributionGraphBuilder(rm, modelName: "synthetic").Build(tokens, new GraphBuildOptions { MaxFeatureNodes = null }, "synthetic prompt");
        var p = GraphPruner.Prune(g, 0.9f, 0.98f);
        return (g, p, GraphScores.Compute(g, p.NodeInfluence));
    }

    // The circuit-tracer / Neuronpedia frontend schema (reference.md §1.4c; circuit-tracer frontend/graph_models.py):
    // JSON kinds per field; "number?" = number or null.
    static readonly Dictionary<string, string> TopSchema = new() { ["metadata"] = "object", ["qParams"] = "object", ["nodes"] = "array", ["links"] = "array" };
    static readonly Dictionary<string, string> MetadataSchema = new()
    {
        ["slug"] = "string", ["scan"] = "string", ["transcoder_list"] = "string[]", ["prompt_tokens"] = "string[]", ["prompt"] = "string",
        ["node_threshold"] = "number?", ["schema_version"] = "integer?", ["info"] = "object", // info: our extras
    };
    static readonly Dictionary<string, string> QParamsSchema = new()
    {
        ["pinnedIds"] = "string[]", ["supernodes"] = "string[][]", ["linkType"] = "string", ["clickedId"] = "string", ["sg_pos"] = "string",
    };
    static readonly Dictionary<string, string> NodeSchema = new()
    {
        ["node_id"] = "string", ["feature"] = "integer", ["layer"] = "string", ["ctx_idx"] = "integer", ["feature_type"] = "string",
        ["token_prob"] = "number", ["is_target_logit"] = "bool", ["run_idx"] = "integer", ["reverse_ctx_idx"] = "integer",
        ["jsNodeId"] = "string", ["clerp"] = "string", ["influence"] = "number?", ["activation"] = "number?",
    };
    static readonly Dictionary<string, string> LinkSchema = new() { ["source"] = "string", ["target"] = "string", ["weight"] = "number" };

    static void AssertSchema(JsonElement e, Dictionary<string, string> schema, string where)
    {
        Assert.Equal(JsonValueKind.Object, e.ValueKind);
        var names = e.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(schema.Keys.ToList(), names); // exact names, in graph_models.py order
        foreach (var (name, kind) in schema) Assert.True(Is(e.GetProperty(name), kind), $"{where}.{name} is {e.GetProperty(name).ValueKind}, expected {kind}");
    }

    static bool Is(JsonElement v, string kind) => kind switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "bool" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        "number?" => v.ValueKind is JsonValueKind.Number or JsonValueKind.Null,
        "integer?" => v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        "string[]" => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String),
        "string[][]" => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => Is(x, "string[]")),
        _ => throw new ArgumentException(kind),
    };

    [Fact]
    public void Neuronpedia_Json_MatchesTheFrontendSchema()
    {
        var (g, p, s) = Graph();
        var model = NeuronpediaExporter.Create(g, p, s, "my-slug", "synthetic-scan");
        string path = Path.Combine(Path.GetTempPath(), $"ci-graph-{Guid.NewGuid():N}.json");
        try
        {
            NeuronpediaExporter.Write(path, model);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            AssertSchema(root, TopSchema, "$");
            AssertSchema(root.GetProperty("metadata"), MetadataSchema, "metadata");
            AssertSchema(root.GetProperty("qParams"), QParamsSchema, "qParams");
            var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
            var links = root.GetProperty("links").EnumerateArray().ToList();
            Assert.NotEmpty(links);
            foreach (var n in nodes) AssertSchema(n, NodeSchema, "node");
            foreach (var l in links) AssertSchema(l, LinkSchema, "link");

            var meta = root.GetProperty("metadata");
            Assert.Equal("my-slug", meta.GetProperty("slug").GetString());
            Assert.Equal(1, meta.GetProperty("schema_version").GetInt32());
            Assert.Equal(0.9, meta.GetProperty("node_threshold").GetDouble(), 6);
            Assert.Equal(g.Positions, meta.GetProperty("prompt_tokens").GetArrayLength());
            Assert.Equal("synthetic", meta.GetProperty("info").GetProperty("model").GetString());
            Assert.Equal(0.98, meta.GetProperty("info").GetProperty("options").GetProperty("edge_threshold").GetDouble(), 6);

            // Ids are unique, every link joins two listed nodes, and each id follows its type's convention.
            var ids = nodes.Select(n => n.GetProperty("node_id").GetString()!).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var idSet = ids.ToHashSet();
            foreach (var l in links)
            {
                Assert.Contains(l.GetProperty("source").GetString()!, idSet);
                Assert.Contains(l.GetProperty("target").GetString()!, idSet);
            }
            int L = g.Layers;
            foreach (var n in nodes)
            {
                string id = n.GetProperty("node_id").GetString()!, type = n.GetProperty("feature_type").GetString()!;
                long feature = n.GetProperty("feature").GetInt64();
                int pos = n.GetProperty("ctx_idx").GetInt32();
                switch (type)
                {
                    case "cross layer transcoder":
                        var m = Regex.Match(id, @"^(\d+)_(\d+)_(\d+)$");
                        Assert.True(m.Success, id);
                        long layer = long.Parse(m.Groups[1].Value), f = long.Parse(m.Groups[2].Value);
                        Assert.Equal((layer + f) * (layer + f + 1) / 2 + f, feature); // Cantor pairing
                        Assert.Equal(pos, int.Parse(m.Groups[3].Value));
                        Assert.Equal(JsonValueKind.Number, n.GetProperty("activation").ValueKind);
                        break;
                    case "mlp reconstruction error":
                        Assert.Matches($@"^\d+_-1_{pos}$", id);
                        Assert.Equal(-1, feature);
                        break;
                    case "embedding":
                        Assert.Matches($@"^E_{g.Tokens[pos]}_{pos}$", id);
                        Assert.Equal("E", n.GetProperty("layer").GetString());
                        break;
                    case "logit":
                        Assert.Matches($@"^{L + 1}_{feature}_{g.Positions - 1}$", id);
                        Assert.Matches(@"^Output "".*"" \(p=\d\.\d{3}\)$", n.GetProperty("clerp").GetString()!);
                        Assert.Equal(JsonValueKind.Null, n.GetProperty("influence").ValueKind);
                        break;
                    default:
                        Assert.Fail($"unknown feature_type {type}");
                        break;
                }
            }
            Assert.Equal(1, nodes.Count(n => n.GetProperty("is_target_logit").GetBoolean()));
            Assert.Equal(g.Positions, nodes.Count(n => n.GetProperty("feature_type").GetString() == "embedding"));
            Assert.Equal(g.Logits.Length, nodes.Count(n => n.GetProperty("feature_type").GetString() == "logit"));

            var back = NeuronpediaExporter.Read(path);
            Assert.Equal(model.Links, back.Links);
            Assert.Equal(model.Nodes, back.Nodes);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ErrorAndFeatureIds_NeverCollide()
    {
        // The pre-2026 error id "0_{layer}_{pos}" equalled feature "{0}_{layer}_{pos}"; ours cannot.
        var ids = new HashSet<string>();
        for (int layer = 0; layer < 4; layer++)
            for (int pos = 0; pos < 4; pos++)
            {
                Assert.True(ids.Add(GraphNodeIds.Error(layer, pos)));
                for (int f = 0; f < 4; f++) Assert.True(ids.Add(GraphNodeIds.Feature(layer, f, pos)));
            }
        Assert.Equal("2_-1_5", GraphNodeIds.Error(2, 5));
        Assert.Equal(32L, GraphNodeIds.Cantor(3, 4)); // (3+4)(3+4+1)/2 + 4 = 28 + 4
    }

    [Fact]
    public void Compact_WriteRead_RoundTripsExactly()
    {
        var (g, p, s) = Graph(23);
        var compact = CompactGraphFile.Create(g, p, s, edgeTolerance: 1e-3f);
        string path = Path.Combine(Path.GetTempPath(), $"ci-compact-{Guid.NewGuid():N}.json");
        try
        {
            CompactGraphFile.Write(path, compact);
            var back = CompactGraphFile.Read(path);
            Assert.Equal(compact.Nodes, back.Nodes); // record equality per node
            Assert.Equal(compact.Edges.Target, back.Edges.Target);
            Assert.Equal(compact.Edges.Source, back.Edges.Source);
            Assert.Equal(compact.Edges.Weight, back.Edges.Weight); // exact floats
            Assert.Equal(compact.Edges.Kept, back.Edges.Kept);
            Assert.Equal(compact.Tokens, back.Tokens);
            Assert.Equal(compact.TokenTexts, back.TokenTexts);
            Assert.Equal(JsonSerializer.Serialize(compact.Info), JsonSerializer.Serialize(back.Info));
            Assert.Equal(compact with { Nodes = back.Nodes, Edges = back.Edges, Tokens = back.Tokens, TokenTexts = back.TokenTexts, Info = back.Info }, back);

            // All nodes are present; the pruning-kept edges are exactly the Neuronpedia links.
            Assert.Equal(g.NodeCount, back.Nodes.Length);
            var np = NeuronpediaExporter.Create(g, p, s, "x", "y");
            Assert.Equal(np.Links.Count, back.Edges.Kept.Count(k => k));
            Assert.Equal(np.Links.Count, back.Info.KeptEdges);
            // Sparse: fewer edges than non-zero entries of the matrix, none below tolerance unless kept.
            long nonzero = Enumerable.Range(0, g.NodeCount).Sum(r => (long)g.Adjacency.Row(r).ToArray().Count(v => v != 0));
            Assert.True(back.Edges.Target.Length < nonzero, $"{back.Edges.Target.Length} edges of {nonzero}");
            var sums = GraphInfluence.RowAbsSums(g.Adjacency);
            for (int i = 0; i < back.Edges.Target.Length; i++)
            {
                int t = back.Edges.Target[i], src = back.Edges.Source[i];
                Assert.Equal(g.Adjacency[t, src], back.Edges.Weight[i]);
                Assert.True(back.Edges.Kept[i] || Math.Abs(back.Edges.Weight[i]) > 1e-3f * sums[t]);
            }
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"format\":\"other\",\"version\":1}")]
    [InlineData("{\"format\":\"circuit-insights-graph\",\"version\":99}")]
    public void Compact_Read_BadFile_ThrowsOneLine(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ci-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        try
        {
            var e = Assert.Throws<CircuitInsightsException>(() => CompactGraphFile.Read(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Compact_Read_EdgeOutOfRange_Throws()
    {
        var (g, p, s) = Graph(25);
        var compact = CompactGraphFile.Create(g, p, s);
        var broken = compact with { Edges = compact.Edges with { Source = compact.Edges.Source.Select(_ => g.NodeCount + 5).ToArray() } };
        string path = Path.Combine(Path.GetTempPath(), $"ci-bad-{Guid.NewGuid():N}.json");
        try
        {
            CompactGraphFile.Write(path, broken);
            var e = Assert.Throws<CircuitInsightsException>(() => CompactGraphFile.Read(path));
            Assert.Contains("refers to node", e.Message);
        }
        finally { File.Delete(path); }
    }
}
