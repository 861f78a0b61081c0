using CircuitInsights.Formats;
using CircuitInsights.Formats.Tokenization;
using CircuitInsights.Models.Architectures;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Models;

/// <summary>Loads a model from a local directory, a Hugging Face cache folder or a cached hub id.</summary>
public static class ModelLoader
{
    /// <summary>Reads config.json and returns the architecture and spec without touching the weights.</summary>
    public static (IArchitecture Architecture, DecoderSpec Spec, string ConfigPath) ReadConfig(ModelDirectory dir)
    {
        var (arch, spec, configPath, _) = Read(dir);
        return (arch, spec, configPath);
    }

    static (IArchitecture Architecture, DecoderSpec Spec, string ConfigPath, JsonConfig Config) Read(ModelDirectory dir)
    {
        string configPath = dir.GetFile("config.json");
        var config = JsonConfig.Load(configPath);
        string modelType = config.GetString("model_type");
        var arch = ArchitectureRegistry.Get(modelType, configPath);
        return (arch, arch.ReadConfig(config), configPath, config);
    }

    /// <summary>config.json's <c>_name_or_path</c> when it is a string (anything else is not a name and is ignored).</summary>
    static string? NameOrPath(JsonConfig config)
    {
        try { return config.GetOptionalString("_name_or_path"); }
        catch (CircuitInsightsException) { return null; }
    }

    public static TransformerModel Load(string pathOrId, string? revision = null)
    {
        var dir = ModelDirectory.Resolve(pathOrId, revision);
        var (arch, spec, configPath, config) = Read(dir);
        var tokenizer = TokenizerLoader.Load(dir.Path);
        var source = TensorSources.Open(dir.Path);
        // Packed copies of the weight matrices (same dtype as stored) dominate resident memory.
        long bytes = source.Tensors.Where(t => t.Shape.Length == 2).Sum(t => t.ByteLength);
        try
        {
            Tensors.MemoryGuard.Check(bytes, $"loading {dir} (packed weights)", "use a machine with more memory or bf16 weights");
        }
        catch
        {
            source.Dispose();
            (tokenizer as IDisposable)?.Dispose();
            throw;
        }
        DecoderWeights weights;
        try
        {
            weights = arch.LoadWeights(source, spec);
        }
        catch
        {
            source.Dispose();
            (tokenizer as IDisposable)?.Dispose();
            throw;
        }
        spec = arch.WithWeights(spec, weights);
        return new TransformerModel { Decoder = new DecoderModel(spec, weights), Tokenizer = tokenizer, Directory = dir, ConfigPath = configPath, NameOrPath = NameOrPath(config) };
    }
}
