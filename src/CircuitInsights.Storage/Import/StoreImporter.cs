namespace CircuitInsights.Storage.Import;

/// <summary>
/// <c>store import</c>: reads every given source into the store inside ONE transaction (<see cref="StoreWriter"/>): the
/// cache (run, statistics, histograms, top/sampled contexts), CircuitLens results, WeightLens records, graphs, scores and
/// external descriptions; then, when a model is given, recomputes per-token activations of the stored contexts
/// (<see cref="TokenActivations"/>, bounded by <see cref="ImportOptions.MaxActivationWindows"/>) and records the token
/// texts of every stored window. Any error rolls the whole import back.
/// </summary>
public static class StoreImporter
{
    public static ImportSummary Import(string dbPath, ImportOptions o, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        var summary = new ImportSummary();
        using var w = StoreWriter.Begin(dbPath);
        w.SetRun(o.ModelName, o.Model?.Transcoders.Info);
        var requests = new List<ActivationRequest>();
        bool zeroFirst = true;
        // CircuitLens contexts first: they are the ones shown per cluster, so they get per-token activations first.
        if (o.CircuitLensDir is { } cl) requests.AddRange(CircuitLensImporter.Import(w, cl, summary, progress));
        if (o.CacheDir is { } cache)
        {
            requests.AddRange(CacheImporter.Import(w, cache, o, summary, progress));
            zeroFirst = new CircuitLens.Cache.ActivationCache(cache).Manifest.Options.SkipFirstPosition;
        }
        cancel.ThrowIfCancellationRequested();
        if (o.WeightLensDir is { } wl) WeightLensImporter.Import(w, wl, summary, progress);
        foreach (var g in o.Graphs) GraphImporter.Import(w, g, summary);
        foreach (var s in o.Scores) JsonlImporter.ImportScores(w, s, summary);
        foreach (var d in o.Descriptions) JsonlImporter.ImportDescriptions(w, d, summary);
        if (o.Model is { } model && requests.Count > 0)
        {
            progress?.Report($"per-token activations for {requests.Count:N0} contexts");
            var acts = TokenActivations.Compute(model, requests, zeroFirst, o.MaxActivationWindows, cancel: cancel);
            foreach (var (id, a) in acts) w.SetContextActivations(id, a);
            summary.ContextsWithActivations = acts.Count;
        }
        if (o.Tokenizer is { } tok)
        {
            var ids = new HashSet<int>();
            foreach (var r in requests) ids.UnionWith(r.Tokens);
            foreach (int id in ids.Order())
                if ((uint)id < (uint)tok.VocabSize) w.AddVocab(id, tok.TokenText(id));
        }
        cancel.ThrowIfCancellationRequested();
        w.Commit();
        return summary;
    }
}
