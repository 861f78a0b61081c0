using CircuitInsights.Transcoders;

namespace CircuitInsights.Attribution.Graphs;

/// <summary>Provenance of an <see cref="AttributionGraph"/>: model, transcoder set, every option, and what building cost.</summary>
public sealed record GraphInfo
{
    /// <summary>Model name (hub id or directory name).</summary>
    public required string Model { get; init; }
    public required string Architecture { get; init; }
    public required int DModel { get; init; }
    public required TranscoderSetInfo Transcoders { get; init; }
    public required GraphBuildOptions Options { get; init; }
    /// <summary>Number of active features on the prompt (before selection).</summary>
    public required int ActiveFeatureCount { get; init; }
    /// <summary>Seconds spent in each phase (index = phase number).</summary>
    public required double[] PhaseSeconds { get; init; }
    /// <summary>Peak memory estimate the build was checked against (bytes).</summary>
    public required long MemoryEstimateBytes { get; init; }
}
