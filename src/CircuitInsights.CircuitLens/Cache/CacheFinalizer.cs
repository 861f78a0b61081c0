using CircuitInsights.CircuitLens.Corpus;
using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;

namespace CircuitInsights.CircuitLens.Cache;

/// <summary>
/// After a complete pass (or a merge): draws the sampled contexts of every feature (<see cref="ContextSampler"/>), writes
/// them per layer, and stores the token windows they and the top lists refer to (<c>contexts.safetensors</c>) by
/// re-reading the corpus, so later stages need neither the corpus nor a second activation pass.
/// </summary>
public static class CacheFinalizer
{
    /// <summary>How many of the best windows per feature are kept as "top contexts" (stored tokens).</summary>
    public const int TopContexts = 20;

    public static CacheManifest Finalize(string dir, ITokenizer tokenizer, SamplingOptions sampling, IProgress<string>? progress = null)
    {
        var manifest = CacheManifest.Load(dir);
        if (manifest.Status == "running") throw new CircuitInsightsException($"{dir}: the cache pass is not complete; rerun 'circuit-insights cache' to resume it");
        var needed = new HashSet<int>();
        foreach (int layer in manifest.Options.Layers.Distinct().Order())
        {
            progress?.Report($"sampling contexts of layer {layer}");
            var sketch = FeatureSketches.Load(CacheManifest.LayerFile(dir, layer), manifest.Options.Seed);
            int F = sketch.Features, N = sampling.Count;
            var count = new int[F];
            var window = new int[F * N]; var position = new int[F * N]; var value = new float[F * N];
            for (int f = 0; f < F; f++)
            {
                var samples = ContextSampler.Sample(sketch, f, sampling);
                count[f] = samples.Length;
                for (int i = 0; i < samples.Length; i++)
                {
                    window[f * N + i] = samples[i].Window; position[f * N + i] = samples[i].Position; value[f * N + i] = samples[i].Activation;
                    needed.Add(samples[i].Window);
                }
                foreach (var t in sketch.Top(f).Take(TopContexts)) needed.Add(t.Window);
            }
            var w = new SafeTensorsWriter();
            w.Metadata["layer"] = layer.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.Metadata["bins"] = sampling.Bins.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.Metadata["alpha"] = sampling.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            w.Metadata["seed"] = sampling.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.Add("sample_count", count, [F]);
            w.Add("sample_window", window, [F, N]);
            w.Add("sample_position", position, [F, N]);
            w.Add("sample_activation", value, [F, N]);
            w.Write(CacheManifest.SamplesFile(dir, layer));
        }
        progress?.Report($"storing {needed.Count} context windows");
        WriteContexts(dir, manifest, tokenizer, needed);
        var done = manifest with { Status = "finalized" };
        done.Save(dir);
        return done;
    }

    static void WriteContexts(string dir, CacheManifest manifest, ITokenizer tokenizer, HashSet<int> needed)
    {
        var indices = new List<long>();
        var offsets = new List<long> { 0 };
        var tokens = new List<int>();
        var o = manifest.Options;
        var docs = CorpusReader.Read(manifest.Corpus, o.TextField);
        foreach (var w in TokenWindows.Create(docs, tokenizer, o.Windows))
        {
            if (!needed.Contains((int)w.Index)) continue;
            indices.Add(w.Index);
            tokens.AddRange(w.Tokens);
            offsets.Add(tokens.Count);
            if (indices.Count == needed.Count) break;
        }
        if (indices.Count != needed.Count)
            throw new CircuitInsightsException($"{manifest.Corpus}: the corpus no longer yields the cached windows (found {indices.Count} of {needed.Count})");
        var writer = new SafeTensorsWriter();
        writer.Add("window_index", indices.ToArray(), [indices.Count]);
        writer.Add("offsets", offsets.ToArray(), [offsets.Count]);
        writer.Add("tokens", tokens.ToArray(), [tokens.Count]);
        writer.Write(CacheManifest.ContextsFile(dir));
    }
}
