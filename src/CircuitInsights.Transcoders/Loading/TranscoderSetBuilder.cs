using CircuitInsights.Formats;
using CircuitInsights.Tensors;

namespace CircuitInsights.Transcoders.Loading;

/// <summary>
/// Collects the layers a loader reads and builds the <see cref="TranscoderSet"/> with a complete
/// <see cref="TranscoderSetInfo"/>: activation (incl. k / thresholds), centering, output bias, skip, dtypes, every file
/// and the notes. Checks that all layers agree on what the info records once (width, d_model, activation, flags) and
/// applies hook overrides from <see cref="TranscoderLoadOptions"/>. Disposes what it holds unless <see cref="Build"/>
/// succeeded, so loaders can simply <c>using</c> it.
/// </summary>
internal sealed class TranscoderSetBuilder(string format, string source, TranscoderLoadOptions options) : IDisposable
{
    readonly List<(Transcoder Transcoder, string File)> _layers = [];
    readonly List<string> _sourceFiles = [];
    readonly List<string> _notes = [];
    readonly HashSet<DType> _dtypes = [];
    bool _built;

    public string? ModelName { get; set; }
    /// <summary>Hook the format implies (before options overrides); null when the files do not say.</summary>
    public string? InputHook { get; set; }
    public string? OutputHook { get; set; }
    public bool CrossLayer { get; set; }
    public bool OutputMeanCentered { get; set; }
    public int Count => _layers.Count;

    /// <summary>Adds a layer (on a duplicate layer it throws and leaves disposal of <paramref name="transcoder"/>'s files to the caller).</summary>
    public void Add(Transcoder transcoder, string file, IEnumerable<DType> dtypes)
    {
        if (_layers.Any(l => l.Transcoder.Layer == transcoder.Layer))
            throw new InvalidModelFileException(file, $"layer {transcoder.Layer} is also provided by {_layers.First(l => l.Transcoder.Layer == transcoder.Layer).File}; expected one file per layer");
        _layers.Add((transcoder, file));
        _dtypes.UnionWith(dtypes);
        AddSourceFile(file);
    }

    public void AddSourceFile(string file)
    {
        string full = Path.GetFullPath(file);
        if (!_sourceFiles.Contains(full)) _sourceFiles.Add(full);
    }

    public void Note(string note)
    {
        if (!_notes.Contains(note)) _notes.Add(note);
    }

    public TranscoderSet Build()
    {
        if (_layers.Count == 0)
            throw new InvalidModelFileException(source, options.Layers is null ? "no transcoder layers found" : $"none of the requested layers {string.Join(", ", options.Layers.Order())} is in this set");
        var ordered = _layers.OrderBy(l => l.Transcoder.Layer).ToList();
        var (first, firstFile) = ordered[0];
        foreach (var (t, file) in ordered.Skip(1))
        {
            string? diff =
                t.Width != first.Width ? $"has {t.Width} features" :
                t.DModel != first.DModel ? $"reads d_model {t.DModel}" :
                t.DOut != first.DOut ? $"writes d_model {t.DOut}" :
                t.Activation != first.Activation || t.TopK != first.TopK ? $"uses {Describe(t)}" :
                (t.InputCentering is null) != (first.InputCentering is null) ? (t.InputCentering is null ? "has no input centering" : "has input centering") :
                (t.DecoderBias is null) != (first.DecoderBias is null) ? (t.DecoderBias is null ? "has no output bias" : "has an output bias") :
                (t.Skip is null) != (first.Skip is null) ? (t.Skip is null ? "has no skip connection" : "has a skip connection") : null;
            if (diff is not null)
                throw new InvalidModelFileException(file, $"layer {t.Layer} {diff}, but layer {first.Layer} ({firstFile}) has {DescribeSame(first, diff)}; all layers of a set must agree");
        }

        string input = Resolve(options.InputHook, InputHook, "input");
        string output = Resolve(options.OutputHook, OutputHook, "output");
        var info = new TranscoderSetInfo(format, source, ModelName, input, output, Describe(first),
            InputCentering: first.InputCentering is not null, OutputBias: first.DecoderBias is not null, Skip: first.Skip is not null,
            CrossLayer: CrossLayer, first.Width, ordered.Select(l => l.Transcoder.Layer).ToArray(),
            ordered.ToDictionary(l => l.Transcoder.Layer, l => Path.GetFullPath(l.File)))
        {
            TopK = first.Activation == TranscoderActivation.TopK ? first.TopK : null,
            HasThresholds = first.Threshold is not null,
            OutputMeanCentered = OutputMeanCentered,
            WeightDType = _dtypes.Count == 0 ? null : _dtypes.Count == 1 ? _dtypes.First().ToString() : "mixed (" + string.Join(", ", _dtypes.Order()) + ")",
            CatalogName = options.CatalogName,
            SourceFiles = _sourceFiles.ToArray(),
            Notes = _notes.ToArray(),
        };
        var set = new TranscoderSet(ordered.Select(l => l.Transcoder), info);
        _built = true;
        return set;
    }

    string Resolve(string? overrideHook, string? implied, string which)
    {
        if (overrideHook is not null)
        {
            string hook = TranscoderHooks.NormalizeOption(overrideHook, $"{which} hook");
            if (implied is not null && implied != hook) Note($"{which} hook overridden: the files imply '{implied}', using '{hook}' as requested");
            else if (implied is null) Note($"{which} hook '{hook}' given by the caller (the files do not say)");
            return hook;
        }
        return implied ?? throw new InvalidModelFileException(source, $"the files do not say where the transcoders {(which == "input" ? "read" : "write")}; pass the {which} hook (--{which}-hook, e.g. {(which == "input" ? "hook_resid_mid or mlp.hook_in" : "mlp.hook_out or hook_mlp_out")})");
    }

    static string Describe(Transcoder t) => t.Activation switch
    {
        TranscoderActivation.TopK => $"topk:{t.TopK}",
        TranscoderActivation.JumpRelu => "jumprelu",
        _ => "relu",
    };

    static string DescribeSame(Transcoder first, string diff) => diff switch
    {
        _ when diff.StartsWith("has ", StringComparison.Ordinal) && diff.EndsWith(" features", StringComparison.Ordinal) => $"{first.Width} features",
        _ when diff.StartsWith("reads", StringComparison.Ordinal) => $"d_model {first.DModel}",
        _ when diff.StartsWith("writes", StringComparison.Ordinal) => $"d_model {first.DOut}",
        _ when diff.StartsWith("uses", StringComparison.Ordinal) => Describe(first),
        _ => "the opposite",
    };

    public void Dispose()
    {
        if (_built) return;
        foreach (var (t, _) in _layers) t.Dispose();
        _layers.Clear();
    }
}
