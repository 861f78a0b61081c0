namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Reads one on-disk transcoder format (reference.md §1.4) into a <see cref="TranscoderSet"/> that records where each
/// layer reads and writes and every numerics choice.
/// </summary>
public interface ITranscoderLoader
{
    /// <summary>Short name stored in artifacts (e.g. "circuit-tracer").</summary>
    string Format { get; }

    /// <summary>Cheap check (file and folder names only) whether <paramref name="path"/> looks like this format.</summary>
    bool CanLoad(string path);

    TranscoderSet Load(string path, TranscoderLoadOptions options);
}

/// <summary>
/// A loader that can also read an explicit layer → file (or folder) map, as a catalogue entry or a circuit-tracer
/// <c>transcoders:</c> list names them.
/// </summary>
public interface ILayerFilesLoader : ITranscoderLoader
{
    /// <param name="files">Layer → weights file (sparsify: layer → hookpoint folder).</param>
    /// <param name="source">Recorded as <see cref="TranscoderSetInfo.Source"/>.</param>
    TranscoderSet LoadLayerFiles(IReadOnlyDictionary<int, string> files, TranscoderLoadOptions options, string source);
}
