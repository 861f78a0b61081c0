using CircuitInsights.Formats;

namespace CircuitInsights.Demo;

/// <summary>
/// Generates (or reuses) the built-in demo model: <c>model/</c> (Hugging Face GPT-2 layout with the real GPT-2 tokenizer),
/// <c>transcoders/</c> (circuit-tracer format), <c>corpus/</c> (generated sentences + Brown subset) and
/// <c>manifest.json</c> (ground truth). Everything else in the tool loads it through the normal loaders.
/// </summary>
public static class DemoModelGenerator
{
    public const int DefaultSeed = 20261125;

    /// <summary>Default cache folder: $CIRCUIT_INSIGHTS_CACHE/demo-v{version}-{seed}, else ~/.cache/circuit-insights/….</summary>
    public static string DefaultDirectory(int seed = DefaultSeed)
    {
        string root = Environment.GetEnvironmentVariable("CIRCUIT_INSIGHTS_CACHE") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "circuit-insights");
        return Path.Combine(root, $"demo-v{DemoManifest.CurrentVersion}-{seed}");
    }

    /// <summary>Returns the manifest of the demo model in <paramref name="directory"/>, generating it first when absent
    /// or stale. The manifest is written last, so an interrupted generation is redone.</summary>
    public static DemoManifest EnsureGenerated(string directory, int seed = DefaultSeed)
    {
        string manifestPath = Path.Combine(directory, DemoManifest.FileName);
        if (File.Exists(manifestPath))
        {
            try
            {
                var existing = DemoManifest.Load(manifestPath);
                if (existing.Version == DemoManifest.CurrentVersion && existing.Seed == seed) return existing;
            }
            catch (CircuitInsightsException) { /* regenerate */ }
        }
        return Generate(directory, seed);
    }

    public static DemoManifest Generate(string directory, int seed = DefaultSeed)
    {
        Directory.CreateDirectory(directory);
        string manifestPath = Path.Combine(directory, DemoManifest.FileName);
        if (File.Exists(manifestPath)) File.Delete(manifestPath);
        var builder = new DemoModelBuilder(seed);
        var manifest = builder.Build();
        DemoModelFiles.WriteModel(Path.Combine(directory, manifest.ModelDir), builder.Weights);
        DemoModelFiles.WriteTranscoders(Path.Combine(directory, manifest.TranscodersDir), builder.Weights);
        DemoCorpus.WriteTo(Path.Combine(directory, manifest.CorpusDir), sentences: 2000, seed: seed + 2);
        AtomicFile.WriteAllText(manifestPath, manifest.ToJson());
        return manifest;
    }
}
