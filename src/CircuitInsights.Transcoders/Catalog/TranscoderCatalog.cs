using CircuitInsights.Formats;
using CircuitInsights.Transcoders.Loading;

namespace CircuitInsights.Transcoders.Catalog;

/// <summary>
/// The catalogue of known transcoder sets (data file <c>Catalog/transcoder-sets.yaml</c>, embedded in this assembly):
/// lookup by name or alias, and loading from the local Hugging Face cache through the format's loader (reference.md
/// §1.4). Downloading is not done here.
/// </summary>
public sealed class TranscoderCatalog
{
    const string ResourceName = "CircuitInsights.Transcoders.Catalog.transcoder-sets.yaml";
    static readonly Lazy<TranscoderCatalog> DefaultCatalog = new(LoadEmbedded);

    public IReadOnlyList<TranscoderCatalogEntry> Entries { get; }

    TranscoderCatalog(IReadOnlyList<TranscoderCatalogEntry> entries) => Entries = entries;

    /// <summary>The catalogue shipped with the assembly.</summary>
    public static TranscoderCatalog Default => DefaultCatalog.Value;

    static TranscoderCatalog LoadEmbedded()
    {
        using var stream = typeof(TranscoderCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "transcoder-sets.yaml");
    }

    /// <summary>Parses a catalogue file (schema in the header of transcoder-sets.yaml).</summary>
    public static TranscoderCatalog Parse(string yaml, string file)
    {
        var config = YamlConfig.Parse(yaml, file);
        var entries = new List<TranscoderCatalogEntry>();
        foreach (var o in config.GetObjectList("sets"))
        {
            var filesNode = o.GetNode("files");
            string? pattern = filesNode?.Kind == ConfigValueKind.String ? o.GetString("files") : null;
            IReadOnlyList<string>? list = filesNode?.Kind == ConfigValueKind.List ? o.GetStringList("files") : null;
            if (filesNode is not null && filesNode.Kind != ConfigValueKind.Null && pattern is null && list is null)
                throw new InvalidModelFileException(file, $"{o.KeyPath}.files (line {filesNode.Line}) must be a pattern string or a list of paths");
            var e = new TranscoderCatalogEntry
            {
                Name = o.GetString("name"),
                Aliases = o.GetOptionalStringList("aliases") ?? [],
                Model = o.GetOptionalString("model"),
                Repo = o.GetString("repo"),
                Revision = o.GetOptionalString("revision"),
                Format = o.GetString("format"),
                FilePattern = pattern,
                FileList = list,
                LayerCount = o.GetOptionalInt("layers"),
                InputHook = o.GetOptionalString("input_hook"),
                OutputHook = o.GetOptionalString("output_hook"),
                Activation = o.GetOptionalString("activation"),
                Width = o.GetOptionalInt("width"),
                Skip = o.GetOptionalBool("skip"),
                InputCentering = o.GetOptionalBool("input_centering"),
                OutputMeanCentered = o.GetOptionalBool("output_mean_centered"),
                DType = o.GetOptionalString("dtype"),
                Notes = o.GetOptionalString("notes"),
                Verified = o.GetOptionalString("verified"),
            };
            if (pattern is not null && (e.LayerCount is not > 0 || !pattern.Contains("{layer}", StringComparison.Ordinal)))
                throw new InvalidModelFileException(file, $"set '{e.Name}': a files pattern needs {{layer}} and a positive 'layers' count");
            if (!TranscoderLoaders.Formats.Contains(e.Format))
                throw new InvalidModelFileException(file, $"set '{e.Name}': unknown format '{e.Format}' (known: {string.Join(", ", TranscoderLoaders.Formats)})");
            foreach (var hook in new[] { e.InputHook, e.OutputHook })
                if (hook is not null) TranscoderHooks.Normalize(hook, file, $"set '{e.Name}' hook");
            var clash = entries.FirstOrDefault(x => x.Matches(e.Name) || e.Aliases.Any(x.Matches));
            if (clash is not null) throw new InvalidModelFileException(file, $"set '{e.Name}' reuses a name or alias of '{clash.Name}'");
            entries.Add(e);
        }
        return new TranscoderCatalog(entries);
    }

    public TranscoderCatalogEntry? Find(string nameOrAlias) => Entries.FirstOrDefault(e => e.Matches(nameOrAlias.Trim()));

    public TranscoderCatalogEntry Get(string nameOrAlias) =>
        Find(nameOrAlias) ?? throw new CircuitInsightsException($"'{nameOrAlias}' is not a known transcoder set (known: {string.Join(", ", Entries.Select(e => e.Name))})");

    /// <summary>
    /// Loads a catalogued set from the local Hugging Face cache (<see cref="TranscoderLoadOptions.HubCaches"/>). Files
    /// the entry names must all be present for the requested layers. Hooks the entry states are cross-checked against
    /// what the loader derived (or, for circuit-tracer layer files without config.yaml, supplied to it).
    /// </summary>
    public TranscoderSet Load(string nameOrAlias, TranscoderLoadOptions? options = null)
    {
        var entry = Get(nameOrAlias);
        options ??= new TranscoderLoadOptions();
        ModelDirectory root;
        try
        {
            root = ModelDirectory.Resolve(entry.Repo, entry.Revision, options.HubCaches);
        }
        catch (CircuitInsightsException e)
        {
            throw new CircuitInsightsException($"transcoder set '{entry.Name}' ({entry.RepoRef}) is not in the local Hugging Face cache: {e.Message}", e);
        }
        var loader = TranscoderLoaders.Get(entry.Format);
        bool suppliesHooks = entry.Format == "circuit-tracer" && entry.HasFiles;
        var opts = options with
        {
            CatalogName = entry.Name,
            InputHook = options.InputHook ?? (suppliesHooks ? entry.InputHook : null),
            OutputHook = options.OutputHook ?? (suppliesHooks ? entry.OutputHook : null),
        };
        TranscoderSet set;
        string source = $"{entry.RepoRef} ({root.Path})";
        if (entry.HasFiles)
        {
            if (loader is not ILayerFilesLoader layered)
                throw new InvalidOperationException($"format {entry.Format} cannot load explicit layer files");
            var files = new Dictionary<int, string>();
            var missing = new List<string>();
            foreach (var (layer, rel) in entry.LayerFiles())
            {
                if (!opts.Wants(layer)) continue;
                string full = Path.Combine(root.Path, rel);
                if (File.Exists(full) || Directory.Exists(full)) files[layer] = full;
                else missing.Add(rel);
            }
            if (missing.Count > 0)
                throw new CircuitInsightsException($"transcoder set '{entry.Name}': {missing.Count} file(s) not in the cached snapshot {root.Path} (e.g. {string.Join(", ", missing.Take(3))}); download them first");
            if (files.Count == 0)
                throw new CircuitInsightsException($"transcoder set '{entry.Name}' has none of the requested layers (it has 0..{entry.LayerFiles().Count - 1})");
            set = layered.LoadLayerFiles(files, opts, source);
        }
        else set = loader.Load(root.Path, opts);

        string? mismatch =
            options.InputHook is null && entry.InputHook is not null && set.Info.InputHook != TranscoderHooks.Normalize(entry.InputHook, "catalogue", "input_hook") ? $"input hook '{set.Info.InputHook}' (catalogue: {entry.InputHook})" :
            options.OutputHook is null && entry.OutputHook is not null && set.Info.OutputHook != TranscoderHooks.Normalize(entry.OutputHook, "catalogue", "output_hook") ? $"output hook '{set.Info.OutputHook}' (catalogue: {entry.OutputHook})" : null;
        if (mismatch is not null)
        {
            set.Dispose();
            throw new CircuitInsightsException($"transcoder set '{entry.Name}': the files give {mismatch}; the catalogue entry or the cached files are wrong");
        }
        return set;
    }
}
