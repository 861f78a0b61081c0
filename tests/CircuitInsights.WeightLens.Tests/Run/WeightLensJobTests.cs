using CircuitInsights.Testing;
using CircuitInsights.WeightLens.Output;
using CircuitInsights.WeightLens.Run;
using CircuitInsights.WeightLens.Tests.Support;

namespace CircuitInsights.WeightLens.Tests.Run;

/// <summary>Disk runs: checkpoints and resume, shards and merge — all byte-identical to one uninterrupted run.</summary>
public class WeightLensJobTests(PlantedFixture planted) : IClassFixture<PlantedFixture>, IDisposable
{
    static readonly WeightLensOptions Options = new() { BatchSize = 40, ProbeBatch = 64 };
    readonly string _root = CheckpointDirectory.CreateTemp("ci-wl-job");

    string Dir(string name) => Path.Combine(_root, name);

    RunSummary Run(string dir, FeatureSelection? selection = null, WeightLensOptions? options = null, CancellationToken? cancel = null,
        IProgress<WeightLensProgress>? progress = null, bool restart = false) => new WeightLensJob
    {
        Model = planted.Lens, Options = options ?? Options, Selection = selection ?? FeatureSelection.All, OutputDirectory = dir,
        Cancellation = cancel ?? TestContext.Current.CancellationToken, Progress = progress, Restart = restart,
    }.Run();

    [Fact]
    public void Run_WritesLayerFilesDescriptionsAndSummary()
    {
        var summary = Run(Dir("full"));
        Assert.Equal([0, 1, 2], summary.Layers.Select(l => l.Layer));
        Assert.All(summary.Layers, l => Assert.Equal(PlantedGpt2.K, l.Features));
        Assert.True(summary.Validated >= PlantedGpt2.Features.Count - 1);
        var layer0 = FeatureRecordJson.ReadFile(Path.Combine(Dir("full"), "feature_analysis_layer_0.json"));
        Assert.Equal(Enumerable.Range(0, PlantedGpt2.K), layer0.Select(r => r.FeatureIdx));
        Assert.True(File.Exists(Path.Combine(Dir("full"), "descriptions_layer_2.json")));
        Assert.False(Directory.Exists(Path.Combine(Dir("full"), ".weightlens", "analysis")), "checkpoints are removed after completion");
        // a second run of the same command finds the run complete and changes nothing
        var before = OutputFiles.Read(Dir("full"));
        Assert.Equal(summary.Validated, Run(Dir("full")).Validated);
        Assert.Equal(before.Keys, OutputFiles.Read(Dir("full")).Keys);
    }

    [Fact]
    public void Run_InterruptedAfterACheckpoint_ResumesToIdenticalFiles()
    {
        var full = new List<WeightLensProgress>();
        Run(Dir("reference"), progress: new SyncProgress(full.Add));
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Phase == "projections" && p.Done > 0.3 * p.Total) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Run(Dir("resumed"), cancel: cancel.Token, progress: progress));
        int checkpoints = Directory.GetFiles(Path.Combine(Dir("resumed"), ".weightlens", "analysis"), "*.json").Length;
        Assert.InRange(checkpoints, 1, 8);
        Assert.False(File.Exists(Path.Combine(Dir("resumed"), RunSummary.FileName)));
        var resumed = new List<WeightLensProgress>();
        Run(Dir("resumed"), progress: new SyncProgress(resumed.Add));
        // the resumed run only projects what the checkpoints do not hold
        Assert.True(resumed.First(p => p.Phase == "projections").Total < 0.8 * full.First(p => p.Phase == "projections").Total);
        OutputFiles.AssertIdentical(Dir("reference"), Dir("resumed"));
    }

    [Fact]
    public void Run_ShardsThenMerge_IdenticalToSingleRun()
    {
        Run(Dir("single"));
        var shards = Enumerable.Range(0, 3).Select(i => Dir($"shard{i}")).ToArray();
        for (int i = 0; i < 3; i++)
        {
            var s = Run(shards[i], new FeatureSelection { ShardIndex = i, ShardCount = 3 });
            Assert.All(s.Layers, l => Assert.Equal(Enumerable.Range(0, PlantedGpt2.K).Count(f => f % 3 == i), l.Features));
        }
        ShardMerger.Merge(shards.Reverse().ToArray(), Dir("merged"));
        OutputFiles.AssertIdentical(Dir("single"), Dir("merged"));
        Assert.Throws<CircuitInsightsException>(() => ShardMerger.Merge(shards[..2], Dir("incomplete")));
        Assert.Throws<CircuitInsightsException>(() => ShardMerger.Merge([shards[0], shards[0], shards[2]], Dir("twice")));
    }

    [Fact]
    public void Run_LayerSubset_MatchesTheFullRunsLayer()
    {
        // layer 2 alone needs its layer-0 contributors' descriptions: computed on demand, same records as the full run
        Run(Dir("all"));
        Run(Dir("layer2"), new FeatureSelection { Layers = [2] });
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir("all"), "feature_analysis_layer_2.json")), File.ReadAllBytes(Path.Combine(Dir("layer2"), "feature_analysis_layer_2.json")));
        Assert.False(File.Exists(Path.Combine(Dir("layer2"), "feature_analysis_layer_0.json")));
    }

    [Fact]
    public void Run_DifferentSettingsInSameDirectory_RefusedUnlessRestart()
    {
        Run(Dir("x"), new FeatureSelection { Layers = [0] });
        var e = Assert.Throws<CircuitInsightsException>(() => Run(Dir("x"), new FeatureSelection { Layers = [0] }, Options with { ThresholdTokens = 4 }));
        Assert.Contains("options differ", e.Message);
        var s = Run(Dir("x"), new FeatureSelection { Layers = [0] }, Options with { ThresholdTokens = 4 }, restart: true);
        Assert.Equal(4, s.Manifest.Options.ThresholdTokens);
    }

    sealed class SyncProgress(Action<WeightLensProgress> action) : IProgress<WeightLensProgress>
    {
        public void Report(WeightLensProgress value) => action(value);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
