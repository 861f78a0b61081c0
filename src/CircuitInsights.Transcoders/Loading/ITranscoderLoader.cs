namespace CircuitInsights.Transcoders.Loading;

/// <summary>Options common to all transcoder loaders.</summary>
public sealed record TranscoderLoadOptions
{
    /// <summary>Load only these layers (null = all the set provides).</summary>
    public IReadOnlySet<int>? Layers { get; init; }
    /// <summary>Layer number for formats that store one layer per file without saying which (e.g. a bare params.npz).</summary>
    public int? Layer { get; init; }
}

/// <summary>
/// Reads one on-disk transcoder format (reference.md §1.4) into a <see cref="TranscoderSet"/> that records where each
/// layer reads and writes and every numerics choice.
/// </summary>
public interface ITranscoderLoader
{
    /// <summary>Short name stored in artifacts (e.g. "circuit-tracer").</summary>
    string Format { get; }

    /// <summary>Cheap check (file names only) whether <paramref name="path"/> looks like this format.</summary>
    bool CanLoad(string path);

    TranscoderSet Load(string path, TranscoderLoadOptions options);
}
