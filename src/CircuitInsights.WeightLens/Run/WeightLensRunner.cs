using System.Diagnostics;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Projection;
using CircuitInsights.WeightLens.Validation;
using CircuitInsights.Transcoders;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// Runs WeightLens (reference.md §3.4, paper.md §3.1) over a selection of features in three phases:
/// <list type="number">
/// <item>Projections: every selected feature's token, output-token and upstream-feature outliers, batched by layer
/// (<see cref="LayerProjector"/>). Upstream features that a selected feature inherits a description from, but that are
/// not selected themselves (a layer subset, a feature list, a shard), are analysed on demand, recursively, so every
/// selection yields exactly the records a full run would.</item>
/// <item>Validation: single-token activations of all own positive tokens of all layers in one batched sweep
/// (<see cref="ActivationProbe"/>), then inherited tokens in waves (all layers at once when only the first layer is
/// inherited from, as for GPT-2; layer by layer otherwise).</item>
/// <item>Descriptions, layer by layer in ascending order (<see cref="LayerDescriber"/>).</item>
/// </list>
/// With a checkpoint store, projection batches are saved as they finish and skipped when the run is resumed.
/// </summary>
public sealed class WeightLensRunner
{
    readonly WeightLensModel _model;
    readonly WeightLensOptions _options;
    readonly LayerProjector _projector;

    public WeightLensRunner(WeightLensModel model, WeightLensOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ValidationBosId is int b && (uint)b >= (uint)model.Vocab) throw new CircuitInsightsException($"validation BOS id {b} is outside the vocabulary [0, {model.Vocab})");
        if (options.SequenceBosId is int s && s >= model.Vocab) throw new CircuitInsightsException($"sequence BOS id {s} is outside the vocabulary [0, {model.Vocab})");
        _model = model; _options = options;
        _projector = new LayerProjector(model, options);
    }

    public IProgress<WeightLensProgress>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
    /// <summary>Pause after each saved projection batch (tests use it to interrupt a run between checkpoints).</summary>
    public TimeSpan BatchDelay { get; init; }
    /// <summary>Receives notes (resumed batches, on-demand upstream features, timings).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Work and time of the last run (null before the first).</summary>
    public WeightLensRunStatistics? Statistics { get; private set; }

    /// <summary>Describes the selection in memory; returns the selected features' records per layer.</summary>
    public SortedDictionary<int, FeatureRecord[]> Describe(FeatureSelection selection)
    {
        var result = new SortedDictionary<int, FeatureRecord[]>();
        Execute(selection, store: null, (layer, records) => result[layer] = records);
        return result;
    }

    /// <summary>Runs the phases; <paramref name="store"/> (may be null) checkpoints projections; <paramref name="layerDone"/>
    /// receives each layer's selected records (sorted by index) as soon as that layer is described.</summary>
    internal void Execute(FeatureSelection selection, AnalysisStore? store, Action<int, FeatureRecord[]> layerDone)
    {
        var targets = selection.Resolve(_model);
        var analyses = new Dictionary<FeatureId, FeatureAnalysis>();
        if (store is not null)
        {
            var (loaded, bad) = store.LoadAll();
            foreach (var a in loaded) analyses[a.Feature] = a;
            foreach (var f in bad) Log?.Invoke($"discarded unreadable checkpoint {Path.GetFileName(f)}");
            if (loaded.Count > 0) Log?.Invoke($"resuming: {loaded.Count} features already projected");
        }
        var probe = new ActivationProbe(_model, _options.ProbeBatch);
        var describer = new LayerDescriber(_model, _options, probe);

        // Phase 1: projections of the selection, then of the upstream features their descriptions need.
        var clock = Stopwatch.StartNew();
        var todo = targets.ToDictionary(kv => kv.Key, kv => kv.Value.Where(i => !analyses.ContainsKey(new FeatureId(kv.Key, i))).ToArray());
        double totalFlops = todo.Sum(kv => (double)_projector.Flops(kv.Key, kv.Value.Length)), doneFlops = 0;
        void Report(long flops) { doneFlops += flops; Progress?.Report(new WeightLensProgress("projections", doneFlops, Math.Max(totalFlops, doneFlops))); }
        Progress?.Report(new WeightLensProgress("projections", 0, totalFlops));
        foreach (var (layer, features) in todo) Project(layer, features, analyses, store, Report);
        var layers = _model.Layers.OrderDescending().ToArray();
        foreach (int m in layers)
        {
            var needed = new SortedSet<int>();
            foreach (var a in analyses.Values)
                if (a.Feature.Layer > m)
                    foreach (var u in a.Upstream)
                        if (u.FromLayer == m && describer.Inherits(m, a.Feature.Layer) && !analyses.ContainsKey(new FeatureId(m, u.FromIndex)))
                            needed.Add(u.FromIndex);
            if (needed.Count == 0) continue;
            Log?.Invoke($"layer {m}: projecting {needed.Count} upstream features outside the selection (their descriptions are inherited)");
            totalFlops += _projector.Flops(m, needed.Count);
            Project(m, needed.ToArray(), analyses, store, Report);
        }
        double projectionSeconds = clock.Elapsed.TotalSeconds;
        Log?.Invoke($"projections done in {projectionSeconds:F1} s ({analyses.Count} features)");

        // Phase 2 and 3: validation sweeps and descriptions, layer by layer.
        clock.Restart();
        var byLayer = analyses.Values.GroupBy(a => a.Feature.Layer).ToDictionary(g => g.Key, g => g.OrderBy(a => a.Feature.Index).ToArray());
        var cache = new ActivationCache();
        var descriptions = new Dictionary<FeatureId, string[]?>();
        string[]? Upstream(FeatureId id) => descriptions.TryGetValue(id, out var d) ? d
            : throw new InvalidOperationException($"upstream feature {id} has not been described");
        Sweep(probe, cache, describer.ValidationBos, byLayer.SelectMany(kv => describer.Needs(kv.Key, kv.Value, upstream: null)), "own tokens");
        var filled = new HashSet<int>();
        int describedFeatures = 0, totalFeatures = byLayer.Values.Sum(v => v.Length);
        foreach (int layer in byLayer.Keys.Order())
        {
            Cancellation.ThrowIfCancellationRequested();
            if (_options.Validation == ValidationMode.PerToken && !filled.Contains(layer))
            {
                var wave = byLayer.Keys.Where(m => m >= layer && !filled.Contains(m) && describer.LastInheritedLayer(m) < layer).Order().ToArray();
                Sweep(probe, cache, describer.ValidationBos, wave.SelectMany(m => describer.Needs(m, byLayer[m], Upstream)),
                    wave.Length == 1 ? $"inherited tokens, layer {layer}" : $"inherited tokens, layers {wave[0]}–{wave[^1]}");
                filled.UnionWith(wave);
            }
            var records = describer.Describe(layer, byLayer[layer], cache, Upstream);
            foreach (var r in records) descriptions[r.Feature] = r.Description;
            describedFeatures += records.Length;
            Progress?.Report(new WeightLensProgress("descriptions", describedFeatures, totalFeatures, $"layer {layer}"));
            if (targets.TryGetValue(layer, out var selected))
            {
                var wanted = new HashSet<int>(selected);
                layerDone(layer, records.Where(r => wanted.Contains(r.FeatureIdx)).ToArray());
            }
        }
        Log?.Invoke($"validation and descriptions done in {clock.Elapsed.TotalSeconds:F1} s ({cache.Count} single-token activations)");
        Statistics = new WeightLensRunStatistics(analyses.Count, doneFlops, projectionSeconds, clock.Elapsed.TotalSeconds,
            probe.Sequences, probe.SequenceBlocks, cache.Count, describedFeatures);
    }

    void Project(int layer, int[] features, Dictionary<FeatureId, FeatureAnalysis> analyses, AnalysisStore? store, Action<long> report)
    {
        for (int start = 0; start < features.Length; start += _options.BatchSize)
        {
            Cancellation.ThrowIfCancellationRequested();
            var batch = features.AsSpan(start, Math.Min(_options.BatchSize, features.Length - start)).ToArray();
            var result = _projector.Analyze(layer, batch, report);
            store?.Save(result);
            foreach (var a in result) analyses[a.Feature] = a;
            ReleaseMemory();
            if (BatchDelay > TimeSpan.Zero) Thread.Sleep(BatchDelay);
        }
    }

    /// <summary>A batch leaves hundreds of MB of large-object garbage (pools, packed panels); collecting it right away
    /// keeps the resident memory near the live working set instead of the GC's (machine-size) budget.</summary>
    internal static void ReleaseMemory() => GC.Collect(2, GCCollectionMode.Forced, blocking: true);

    void Sweep(ActivationProbe probe, ActivationCache cache, int? bos, IEnumerable<(int Layer, int Token, int Feature)> needs, string what)
    {
        Cancellation.ThrowIfCancellationRequested();
        cache.Fill(probe, bos, needs, (done, total) => Progress?.Report(new WeightLensProgress("validation", done, total, what)));
    }
}

/// <summary>Work and wall time of a run's phases.</summary>
/// <param name="FeaturesAnalysed">Features whose projections are known (selected + on-demand upstream + resumed).</param>
/// <param name="ProjectionFlops">Floating-point operations of the projection GEMMs done in this run.</param>
/// <param name="ProjectionSeconds">Wall time of the projection phase.</param>
/// <param name="ValidationSeconds">Wall time of validation sweeps and descriptions.</param>
/// <param name="ProbeSequences">Sequences run through the model for validation.</param>
/// <param name="ProbeSequenceBlocks">Σ over those sequences of the transformer blocks they ran through.</param>
/// <param name="TokenActivations">Distinct (layer, token, feature) single-token activations measured.</param>
/// <param name="FeaturesDescribed">Features described (selected + on-demand upstream).</param>
public sealed record WeightLensRunStatistics(int FeaturesAnalysed, double ProjectionFlops, double ProjectionSeconds, double ValidationSeconds,
    long ProbeSequences, long ProbeSequenceBlocks, int TokenActivations, int FeaturesDescribed);
