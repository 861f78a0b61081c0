using CircuitInsights.CircuitLens.Analysis;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Evaluation.Explainers;
using CircuitInsights.Llm;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Tests.Explainers;

public class CircuitDescriberTests
{
    static readonly FeatureId Id = new(2, 7);

    static ClusterSummary Cluster(int label, int size, string description, string head) => new()
    {
        Label = label, Size = size, MeanActivation = 1.5, MaxActivation = 3, Description = description,
        Contributors = [new ClusterContributor(head, 0.9, 1.2), new ClusterContributor("f:0:31", 0.8, 0.7)],
        TargetTokens = [new TokenCount(" old", 4)], SourceTokens = [new TokenCount(" Monday", 3)],
        Patterns = ["on ‹ Monday›⟦ morning⟧"], Promoted = [new TokenEffect(5, " at", 0.4f)], Suppressed = [],
    };

    static FeatureCircuitReport Report(params ClusterSummary[] clusters) => new()
    {
        Layer = Id.Layer, Feature = Id.Index, Contexts = clusters.Sum(c => c.Size), Clusters = clusters, Noise = 0,
        ContributorsKept = [], MaxCompletenessError = 0, Description = "L2 F7 (polysemantic, 2 circuits): …", Options = new CircuitLensOptions(),
    };

    /// <summary>Records requests and answers from a script: cluster prompts get "cluster N", the merge prompt "merged".</summary>
    sealed class ScriptedClient : IChatClient
    {
        public List<ChatRequest> Requests { get; } = [];
        public Task<string> CompleteAsync(ChatRequest request, CancellationToken cancel = default)
        {
            Requests.Add(request);
            return Task.FromResult(request.TemplateVersion!.StartsWith("circuit.merge") ? "two senses\n" : $"  cluster {Requests.Count}  ");
        }
    }

    [Fact]
    public async Task Structured_CombinesWeightLensAndClusters_WithoutAnLlm()
    {
        var wl = new WeightLensRecord(Id, [" Monday", " Friday"], true, [], []);
        var d = await new CircuitDescriber().DescribeAsync(Id, wl, Report(Cluster(0, 60, "after a weekday", "h:1:1:-1"), Cluster(1, 40, "after a number", "h:1:2:-1")), TestContext.Current.CancellationToken);
        Assert.NotNull(d);
        Assert.Equal("wl+cl", d.Method);
        Assert.StartsWith("WeightLens: the tokens ' Monday', ' Friday'; CircuitLens: L2 F7 (polysemantic", d.Text);
        Assert.Equal(d.Text, d.Structured);
        Assert.Equal([0, 1], d.Clusters.Select(c => c.Label));
        Assert.Equal("after a weekday", d.Clusters[0].Text);
        Assert.Contains(" Monday", d.Tokens);
        Assert.Contains(" old", d.Tokens);
        Assert.Empty(d.Templates);
    }

    [Fact]
    public async Task NeitherMethodDescribes_ReturnsNull() =>
        Assert.Null(await new CircuitDescriber().DescribeAsync(Id, new WeightLensRecord(Id, [], false, [], []), null, TestContext.Current.CancellationToken));

    [Fact]
    public async Task WithAnLlm_OneRequestPerClusterLargestFirst_ThenOneMerge()
    {
        var client = new ScriptedClient();
        var report = Report(Cluster(0, 10, "small", "h:1:2:-1"), Cluster(1, 90, "large", "h:1:1:-1"), Cluster(-1, 5, "noise", "h:0:0:0"));
        var d = await new CircuitDescriber(client).DescribeAsync(Id, null, report, TestContext.Current.CancellationToken);
        Assert.NotNull(d);
        Assert.Equal("wl+cl+llm", d.Method);
        Assert.Equal("two senses", d.Text);
        Assert.Equal(3, client.Requests.Count); // two real clusters (noise left out) + the merge
        Assert.Contains("head 1.1 at Δ=-1", client.Requests[0].Messages[^1].Content); // the 90-context cluster first
        Assert.Contains("‹ Monday›⟦ morning⟧", client.Requests[0].Messages[^1].Content);
        Assert.Contains("(90 contexts) cluster 1", client.Requests[2].Messages[^1].Content);
        Assert.Contains("WeightLens input tokens: none", client.Requests[2].Messages[^1].Content);
        Assert.Equal(["cluster 1", "cluster 2"], d.Clusters.Select(c => c.Text));
        Assert.Equal([CircuitDescriber.ClusterTemplate.Id, CircuitDescriber.MergeTemplate.Id], d.Templates);
        Assert.All(client.Requests, r => Assert.Equal(0, r.Temperature));
    }
}
