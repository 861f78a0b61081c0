namespace CircuitInsights.Transcoders.Loading;

/// <summary>Registry of transcoder formats; <see cref="Load"/> picks the first loader that recognises the path.</summary>
public static class TranscoderLoaders
{
    static readonly List<ITranscoderLoader> Loaders = [];
    static readonly object Lock = new();

    static TranscoderLoaders()
    {
        Register(new CircuitTracerLoader());
    }

    public static void Register(ITranscoderLoader loader)
    {
        lock (Lock)
        {
            if (Loaders.Any(l => l.Format == loader.Format)) throw new InvalidOperationException($"transcoder format '{loader.Format}' is already registered");
            Loaders.Add(loader);
        }
    }

    public static IReadOnlyList<string> Formats
    {
        get { lock (Lock) return Loaders.Select(l => l.Format).ToArray(); }
    }

    /// <summary>
    /// Loads a transcoder set from a file or directory, or an <c>hf://org/name[/path]</c> URI (resolved through
    /// <see cref="HfUri.ResolveLocal(string)"/>: local cache first, then the installed hub resolver);
    /// <paramref name="format"/> forces a loader.
    /// </summary>
    public static TranscoderSet Load(string path, TranscoderLoadOptions? options = null, string? format = null)
    {
        options ??= new TranscoderLoadOptions();
        if (HfUri.IsHfUri(path) && !File.Exists(path) && !Directory.Exists(path)) path = HfUri.ResolveLocal(path);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new CircuitInsightsException($"{path}: transcoder file or directory not found");
        ITranscoderLoader? loader;
        lock (Lock)
            loader = format is null ? Loaders.FirstOrDefault(l => l.CanLoad(path)) : Loaders.FirstOrDefault(l => l.Format == format)
                ?? throw new CircuitInsightsException($"unknown transcoder format '{format}' (known: {string.Join(", ", Loaders.Select(l => l.Format))})");
        if (loader is null)
            throw new CircuitInsightsException($"{path}: not a recognised transcoder set (known formats: {string.Join(", ", Formats)}); pass --transcoder-format to choose one");
        return loader.Load(path, options);
    }
}
