using CircuitInsights.Attribution.Graphs;
using CircuitInsights.Demo;
using CircuitInsights.Models;
using CircuitInsights.Testing;
using CircuitInsights.Transcoders;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Attribution.Tests.Graphs;

/// <summary>The demo model (generated once into a temp folder) and the graph of its first planted graph prompt.</summary>
public sealed class DemoGraphFixture : IDisposable
{
    public string Directory { get; } = CheckpointDirectory.CreateTemp("ci-demo-graph");
    public DemoManifest Manifest { get; }
    public TransformerModel Model { get; }
    public TranscoderSet Transcoders { get; }
    public int[] Tokens { get; }
    public AttributionGraph Graph { get; }
    public PruneResult Prune { get; }
    public GraphScores Scores { get; }

    public DemoGraphFixture()
    {
        Manifest = DemoModelGenerator.EnsureGenerated(Directory);
        Model = ModelLoader.Load(Path.Combine(Directory, Manifest.ModelDir));
        Transcoders = TranscoderLoaders.Load(Path.Combine(Directory, Manifest.TranscodersDir));
        var prompt = Manifest.GraphPrompts[0];
        Tokens = Model.Encode(prompt.Prompt, prependBos: true);
        var builder = new AttributionGraphBuilder(new ReplacementModel(Model.Decoder, Transcoders), Model.Tokenizer, "demo");
        Graph = builder.Build(Tokens, new GraphBuildOptions(), prompt.Prompt);
        Prune = GraphPruner.Prune(Graph);
        Scores = GraphScores.Compute(Graph, Prune.NodeInfluence);
    }

    public void Dispose()
    {
        Model.Dispose();
        Transcoders.Dispose();
        System.IO.Directory.Delete(Directory, true);
    }
}
