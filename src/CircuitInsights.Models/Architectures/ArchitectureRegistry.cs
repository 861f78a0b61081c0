using CircuitInsights.Models.Architectures.Gemma2;
using CircuitInsights.Models.Architectures.Gpt2;
using CircuitInsights.Models.Architectures.Llama;

namespace CircuitInsights.Models.Architectures;

/// <summary>HF <c>model_type</c> → architecture. Registering a type twice is an error (style rule 7).</summary>
public static class ArchitectureRegistry
{
    static readonly Dictionary<string, IArchitecture> ByType = new(StringComparer.Ordinal);
    static readonly object Lock = new();

    static ArchitectureRegistry()
    {
        Register(new Gpt2Architecture());
        Register(new Gemma2Architecture());
        Register(new LlamaArchitecture());
    }

    public static void Register(IArchitecture architecture)
    {
        lock (Lock)
            foreach (var type in architecture.ModelTypes)
                if (!ByType.TryAdd(type, architecture))
                    throw new InvalidOperationException($"architecture for model_type '{type}' is already registered");
    }

    public static IReadOnlyCollection<string> KnownModelTypes
    {
        get { lock (Lock) return ByType.Keys.OrderBy(k => k).ToArray(); }
    }

    public static IArchitecture Get(string modelType, string configPath)
    {
        lock (Lock)
            return ByType.TryGetValue(modelType, out var a) ? a
                : throw new CircuitInsightsException($"{configPath}: model_type '{modelType}' is not supported (supported: {string.Join(", ", ByType.Keys.OrderBy(k => k))})");
    }
}
