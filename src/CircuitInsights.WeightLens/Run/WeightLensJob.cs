using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitInsights.Formats;
using CircuitInsights.WeightLens.Description;
using CircuitInsights.WeightLens.Output;
using CircuitInsights.WeightLens.PostProcessing;

namespace CircuitInsights.WeightLens.Run;

/// <summary>
/// A WeightLens run on disk, resumable. Layout of the output directory:
/// <code>
/// feature_analysis_layer_{L}.json   the authors' records, sorted by feature_idx (written atomically per layer)
/// descriptions_layer_{L}.json       post-processed descriptions (lemmatised token groups; see DescriptionPostProcessor)
/// weightlens_summary.json           manifest + per-layer counts (written last)
/// .weightlens/state.json            manifest of the run in progress and whether it finished
/// .weightlens/analysis/*.json       projection checkpoints (one per finished batch; removed when the run completes)
/// </code>
/// Re-running the same command after an interruption continues from the checkpoints and produces byte-identical files;
/// a different model, option or selection in the same directory is refused (unless restarting).
/// </summary>
public sealed class WeightLensJob
{
    const string StateDirectory = ".weightlens";

    public required WeightLensModel Model { get; init; }
    public required WeightLensOptions Options { get; init; }
    public required FeatureSelection Selection { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Discard an existing run in the directory instead of resuming it.</summary>
    public bool Restart { get; init; }
    /// <summary>Keep the projection checkpoints after completion.</summary>
    public bool KeepCheckpoints { get; init; }
    public IProgress<WeightLensProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }
    public CancellationToken Cancellation { get; init; }
    /// <summary>Pause after each checkpoint (test hook for interrupting runs).</summary>
    public TimeSpan BatchDelay { get; init; }

    sealed record State(
        [property: JsonPropertyName("manifest")] RunManifest Manifest,
        [property: JsonPropertyName("complete")] bool Complete);

    public RunSummary Run()
    {
        var manifest = RunManifest.Create(Model, Options, Selection);
        string dir = Path.GetFullPath(OutputDirectory);
        string stateDir = Path.Combine(dir, StateDirectory);
        string statePath = Path.Combine(stateDir, "state.json");
        var store = new AnalysisStore(Path.Combine(stateDir, "analysis"));
        Directory.CreateDirectory(dir);

        if (ReadState(statePath) is { } previous)
        {
            if (Restart) { store.Delete(); Log?.Invoke($"{dir}: discarding the previous run (--restart)"); }
            else if (previous.Manifest.ToJson() != manifest.ToJson())
                throw new CircuitInsightsException($"{dir}: holds a run with different settings ({Difference(previous.Manifest, manifest)}); use another --out or --restart");
            else if (previous.Complete && File.Exists(Path.Combine(dir, RunSummary.FileName)))
            {
                Log?.Invoke($"{dir}: run already complete");
                return RunSummary.Read(dir);
            }
        }
        else if (Directory.Exists(store.Directory) && Restart) store.Delete();
        WriteState(statePath, new State(manifest, Complete: false));

        var layers = new List<LayerSummary>();
        var runner = new WeightLensRunner(Model, Options) { Progress = Progress, Log = Log, Cancellation = Cancellation, BatchDelay = BatchDelay };
        runner.Execute(Selection, store, (layer, records) =>
        {
            FeatureRecordJson.WriteFile(Path.Combine(dir, FeatureRecordJson.FileName(layer)), records);
            DescriptionPostProcessor.WriteFile(Path.Combine(dir, DescriptionPostProcessor.FileName(layer)), records);
            layers.Add(LayerSummary.Of(layer, records));
        });
        var summary = new RunSummary { Manifest = manifest, Layers = layers.OrderBy(l => l.Layer).ToArray() };
        summary.Write(dir);
        WriteState(statePath, new State(manifest, Complete: true));
        if (!KeepCheckpoints) store.Delete();
        return summary;
    }

    static State? ReadState(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<State>(stream, RunManifest.Json);
        }
        catch (JsonException e) { throw new CircuitInsightsException($"{path}: unreadable run state ({e.Message}); use --restart", e); }
    }

    static void WriteState(string path, State state) => AtomicFile.Write(path, s => JsonSerializer.Serialize(s, state, RunManifest.Json));

    static string Difference(RunManifest a, RunManifest b)
    {
        var diffs = new List<string>();
        if (a.Model != b.Model) diffs.Add("model");
        if (a.Transcoders.ToString() != b.Transcoders.ToString() || !a.Transcoders.Layers.SequenceEqual(b.Transcoders.Layers)) diffs.Add("transcoders");
        if (a.Options != b.Options) diffs.Add("options");
        if (a.Selection != b.Selection || a.Shard != b.Shard) diffs.Add("selection");
        return diffs.Count == 0 ? "format" : string.Join(", ", diffs) + " differ";
    }
}
