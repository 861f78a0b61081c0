using System.Globalization;

namespace CircuitInsights.Transcoders.Catalog;

/// <summary>
/// One known transcoder set of <c>Catalog/transcoder-sets.yaml</c>: where its files live on the hub, which loader reads
/// them, and (for listings and cross-checks) the hooks and numerics they carry.
/// </summary>
public sealed record TranscoderCatalogEntry
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? Model { get; init; }
    public required string Repo { get; init; }
    public string? Revision { get; init; }
    /// <summary>Loader format (see <see cref="Loading.TranscoderLoaders.Formats"/>).</summary>
    public required string Format { get; init; }
    /// <summary>File (or folder) pattern with <c>{layer}</c>, used with <see cref="LayerCount"/>.</summary>
    public string? FilePattern { get; init; }
    /// <summary>Explicit per-layer paths (entry i is layer i).</summary>
    public IReadOnlyList<string>? FileList { get; init; }
    public int? LayerCount { get; init; }
    public string? InputHook { get; init; }
    public string? OutputHook { get; init; }
    public string? Activation { get; init; }
    public int? Width { get; init; }
    public bool? Skip { get; init; }
    public bool? InputCentering { get; init; }
    public bool? OutputMeanCentered { get; init; }
    public string? DType { get; init; }
    public string? Notes { get; init; }
    public string? Verified { get; init; }

    /// <summary><c>repo</c> or <c>repo@revision</c>.</summary>
    public string RepoRef => Revision is null ? Repo : $"{Repo}@{Revision}";

    /// <summary>True when the entry names its files (else the whole repo folder is handed to the loader).</summary>
    public bool HasFiles => FilePattern is not null || FileList is not null;

    /// <summary>Layer → path inside the repo (empty when the entry names no files).</summary>
    public IReadOnlyDictionary<int, string> LayerFiles()
    {
        var map = new SortedDictionary<int, string>();
        if (FileList is not null)
            for (int i = 0; i < FileList.Count; i++) map[i] = FileList[i];
        else if (FilePattern is not null && LayerCount is int n)
            for (int i = 0; i < n; i++) map[i] = FilePattern.Replace("{layer}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return map;
    }

    public bool Matches(string nameOrAlias) =>
        string.Equals(Name, nameOrAlias, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, nameOrAlias, StringComparison.OrdinalIgnoreCase));
}
