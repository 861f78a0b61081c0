namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Registry of transcoder formats; <see cref="Load"/> picks the first loader that recognises the path, in registration
/// order: circuit-tracer (config.yaml, W_enc_0.safetensors or layer_0.safetensors), sparsify (cfg.json +
/// sae.safetensors folders), gemma-scope-npz (*.npz, layer_{L}/… trees), pchlenski-pt (*blocks.{L}.*.pt).
/// </summary>
public static class TranscoderLoaders
{
    static readonly List<ITranscoderLoader> Loaders = [];
    static readonly object Lock = new();

    static TranscoderLoaders()
    {
        Register(new CircuitTracerLoader());
        Register(new SparsifyLoader());
        Register(new GemmaScopeNpzLoader());
        Register(new PchlenskiLoader());
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

    /// <summary>The loader registered for <paramref name="format"/>.</summary>
    public static ITranscoderLoader Get(string format)
    {
        lock (Lock)
            return Loaders.FirstOrDefault(l => l.Format == format)
                ?? throw new CircuitInsightsException($"unknown transcoder format '{format}' (known: {string.Join(", ", Loaders.Select(l => l.Format))})");
    }

    /// <summary>The loader that would read <paramref name="path"/>, or null.</summary>
    public static ITranscoderLoader? Detect(string path)
    {
        lock (Lock) return Loaders.FirstOrDefault(l => SafeCanLoad(l, path));
    }

    static bool SafeCanLoad(ITranscoderLoader loader, string path)
    {
        try
        {
            return loader.CanLoad(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
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
        var loader = format is null ? Detect(path) : Get(format);
        if (loader is null)
            throw new CircuitInsightsException($"{path}: not a recognised transcoder set (known formats: {string.Join(", ", Formats)}); name the format explicitly to choose one");
        return loader.Load(path, options);
    }
}
