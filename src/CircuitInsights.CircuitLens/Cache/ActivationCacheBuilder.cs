using CircuitInsights.CircuitLens.Corpus;
using CircuitInsights.Models;
using CircuitInsights.Transcoders;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>Progress of a cache pass.</summary>
public sealed record CacheProgress(long Windows, long Tokens, long? TotalTokens);

/// <summary>
/// One pass over a corpus computing the requested layers' transcoder activations (the forward pass stops after the deepest
/// requested layer) and folding them into bounded per-feature sketches (<see cref="FeatureSketches"/>) and TWERA
/// co-activation statistics. Memory does not grow with the corpus. Checkpoints every
/// <see cref="CacheOptions.CheckpointWindows"/> windows; rerunning the same command resumes; <c>--shard i/n</c> processes
/// every n-th window so shards can run on different machines and be merged exactly (<see cref="CacheMerger"/>).
/// </summary>
public sealed class ActivationCacheBuilder
{
    readonly ReplacementModel _model;
    readonly TransformerModel _loaded;
    readonly CacheOptions _options;
    readonly string _corpus;
    readonly string _dir;

    public ActivationCacheBuilder(TransformerModel loaded, TranscoderSet transcoders, string corpus, string outputDirectory, CacheOptions options)
    {
        options.Validate();
        foreach (int l in options.Layers)
            if (!transcoders.Has(l)) throw new CircuitInsightsException($"--layers: the transcoder set has no layer {l} (it covers {string.Join(", ", transcoders.Layers)})");
        long sketchBytes = options.Layers.Distinct().Count() * FeatureSketches.EstimateBytes(transcoders.Width, options.TopK, options.Reservoir);
        long coactBytes = options.CoactivationPairs > 0 ? options.Layers.Distinct().Count() * (long)transcoders.Width * options.CoactivationPairs * 28 : 0;
        Tensors.MemoryGuard.Check(sketchBytes + coactBytes, $"the activation-cache sketches of {options.Layers.Distinct().Count()} layers",
            "cache fewer --layers at a time, or lower --top-k / --reservoir / --coactivation-pairs");
        _loaded = loaded;
        _model = new ReplacementModel(loaded.Decoder, transcoders);
        _options = options;
        _corpus = corpus;
        _dir = outputDirectory;
    }

    /// <summary>Runs (or resumes, or returns at once when complete) the pass; returns the final manifest.</summary>
    public CacheManifest Run(IProgress<CacheProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(_dir);
        string fingerprint = CorpusFingerprint.Of(_corpus);
        var layers = _options.Layers.Distinct().Order().ToArray();
        var existing = CacheManifest.TryLoad(_dir);
        CheckpointFiles.Recover(_dir, existing?.NextWindow); // a kill inside a checkpoint leaves it half written
        Dictionary<int, FeatureSketches> sketches;
        Dictionary<int, CoactivationStats> coact;
        long nextWindow = 0, windows = 0, tokens = 0, positions = 0;
        if (existing is not null)
        {
            CheckCompatible(existing, fingerprint);
            if (existing.Status is "complete" or "finalized") return existing;
            sketches = layers.ToDictionary(l => l, l => FeatureSketches.Load(CacheManifest.LayerFile(_dir, l), _options.Seed));
            coact = layers.Where(l => File.Exists(CacheManifest.CoactivationFile(_dir, l))).ToDictionary(l => l, l => CoactivationStats.Load(CacheManifest.CoactivationFile(_dir, l)));
            (nextWindow, windows, tokens, positions) = (existing.NextWindow, existing.Windows, existing.Tokens, existing.Positions);
        }
        else
        {
            int width = _model.Transcoders.Width;
            sketches = layers.ToDictionary(l => l, l => new FeatureSketches(l, width, _options.TopK, _options.Reservoir, _options.Seed));
            coact = _options.CoactivationPairs > 0
                ? layers.Where(l => layers.Any(u => u < l)).ToDictionary(l => l, l => CoactivationStats.Create(_model.Transcoders, l, layers, _options.CoactivationPairs))
                : [];
        }

        var scratch = new WindowMaxima(_model.Transcoders.Width);
        int stop = layers.Max() + 1;
        long sinceCheckpoint = 0;
        var batch = new List<TokenWindow>(_options.BatchSize);
        var docs = CorpusReader.Read(_corpus, _options.TextField);
        foreach (var window in TokenWindows.Create(docs, _loaded.Tokenizer, _options.Windows))
        {
            cancel.ThrowIfCancellationRequested();
            if (window.Index < nextWindow || window.Index % _options.ShardCount != _options.ShardIndex) continue;
            batch.Add(window);
            if (batch.Count < _options.BatchSize) continue;
            positions += Process(batch, sketches, coact, scratch, stop);
            (windows, tokens, nextWindow, sinceCheckpoint) = (windows + batch.Count, tokens + batch.Sum(w => w.Tokens.Length), batch[^1].Index + 1, sinceCheckpoint + batch.Count);
            batch.Clear();
            progress?.Report(new CacheProgress(windows, tokens, _options.MaxTokens));
            if (_options.CheckpointWindows > 0 && sinceCheckpoint >= _options.CheckpointWindows)
            {
                Save(sketches, coact, "running", fingerprint, nextWindow, windows, tokens, positions);
                sinceCheckpoint = 0;
            }
        }
        if (batch.Count > 0)
        {
            positions += Process(batch, sketches, coact, scratch, stop);
            (windows, tokens, nextWindow) = (windows + batch.Count, tokens + batch.Sum(w => w.Tokens.Length), batch[^1].Index + 1);
            progress?.Report(new CacheProgress(windows, tokens, _options.MaxTokens));
        }
        if (windows == 0) throw new CircuitInsightsException($"{_corpus}: the corpus yields no windows (empty, or shorter than the minimum window)");
        return Save(sketches, coact, "complete", fingerprint, nextWindow, windows, tokens, positions);
    }

    void CheckCompatible(CacheManifest existing, string fingerprint)
    {
        if (!CacheOptionsComparer.SameRun(existing.Options, _options) || existing.Options.ShardIndex != _options.ShardIndex || existing.Options.ShardCount != _options.ShardCount)
            throw new CircuitInsightsException($"{_dir}: holds a cache made with different options; use another --out or delete it");
        if (existing.CorpusFingerprint != fingerprint)
            throw new CircuitInsightsException($"{_dir}: the corpus changed since this cache was started (fingerprint {existing.CorpusFingerprint} ≠ {fingerprint})");
    }

    CacheManifest Save(Dictionary<int, FeatureSketches> sketches, Dictionary<int, CoactivationStats> coact, string status, string fingerprint,
        long nextWindow, long windows, long tokens, long positions)
    {
        var meta = new Dictionary<string, string>();
        foreach (var (l, s) in sketches) s.Save(CheckpointFiles.StagingPath(CacheManifest.LayerFile(_dir, l)), meta);
        foreach (var (l, c) in coact) c.Save(CheckpointFiles.StagingPath(CacheManifest.CoactivationFile(_dir, l)));
        CheckpointFiles.MarkStaged(_dir, nextWindow);
        var manifest = new CacheManifest
        {
            Status = status, Options = _options, Corpus = Path.GetFullPath(_corpus), CorpusFingerprint = fingerprint,
            Model = _loaded.Name, Transcoders = _model.Transcoders.Info, Features = _model.Transcoders.Width,
            NextWindow = nextWindow, Windows = windows, Tokens = tokens, Positions = positions,
        };
        manifest.Save(_dir); // the commit point
        CheckpointFiles.Publish(_dir);
        return manifest;
    }

    /// <summary>Runs one batch and folds it into the sketches; returns the number of positions counted.</summary>
    long Process(List<TokenWindow> batch, Dictionary<int, FeatureSketches> sketches, Dictionary<int, CoactivationStats> coact, WindowMaxima scratch, int stop)
    {
        var tb = new TokenBatch(batch.Select(w => w.Tokens).ToArray(), _loaded.Tokenizer.EosTokenId ?? 0);
        var run = _model.Run(tb, new ReplacementOptions { ZeroFirstPosition = _options.SkipFirstPosition, StopAtLayer = stop, Logits = LogitsMode.None });
        int T = tb.Positions, first = _options.SkipFirstPosition ? 1 : 0;
        long counted = 0;
        var active = sketches.Keys.ToDictionary(l => l, l => run.Layers[l].Active);
        for (int b = 0; b < batch.Count; b++)
        {
            int window = checked((int)batch[b].Index);
            counted += Math.Max(0, tb.Lengths[b] - first);
            foreach (var (layer, sketch) in sketches)
            {
                var feats = active[layer];
                scratch.Reset();
                for (int t = first; t < tb.Lengths[b]; t++)
                {
                    int row = b * T + t;
                    var f = feats.FeaturesOf(row);
                    var v = feats.ValuesOf(row);
                    for (int i = 0; i < f.Length; i++)
                    {
                        if (v[i] <= 0) continue;
                        sketch.AddPosition(f[i], v[i]);
                        scratch.Offer(f[i], v[i], t);
                    }
                }
                foreach (var (feature, value, position) in scratch.Touched()) sketch.AddWindow(feature, window, position, value);
            }
            foreach (var c in coact.Values)
                for (int t = first; t < tb.Lengths[b]; t++) c.Add(b * T + t, active);
        }
        return counted;
    }

    /// <summary>Per-window maximum and argmax of each feature (dense scratch + touched list).</summary>
    sealed class WindowMaxima(int features)
    {
        readonly float[] _max = new float[features];
        readonly int[] _pos = new int[features];
        readonly List<int> _touched = [];

        public void Reset()
        {
            foreach (int f in _touched) _max[f] = 0;
            _touched.Clear();
        }

        public void Offer(int feature, float value, int position)
        {
            if (_max[feature] == 0) _touched.Add(feature);
            if (value > _max[feature]) { _max[feature] = value; _pos[feature] = position; }
        }

        public IEnumerable<(int Feature, float Value, int Position)> Touched() => _touched.Select(f => (f, _max[f], _pos[f]));
    }
}
