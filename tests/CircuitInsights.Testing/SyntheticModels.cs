using System.Text.Json;
using CircuitInsights.Formats;
using CircuitInsights.Models;
using CircuitInsights.Models.Architectures;
using CircuitInsights.Models.Architectures.Gemma2;
using CircuitInsights.Models.Architectures.Llama;
using CircuitInsights.Models.Components;
using CircuitInsights.Tensors;

namespace CircuitInsights.Testing;

/// <summary>
/// Builds decoders from synthetic checkpoints in memory through the production path that a model directory takes
/// (config.json text → <see cref="IArchitecture.ReadConfig"/> → weight map → <see cref="IArchitecture.WithWeights"/>),
/// without touching the disk.
/// </summary>
public static class SyntheticModels
{
    public static DecoderModel Gemma2(SyntheticGemma2.Config c, CheckpointTensors w, DType dtype = DType.F32) =>
        Build(new Gemma2Architecture(), SyntheticGemma2.ConfigJson(c, dtype), w, dtype);

    public static DecoderModel Llama(SyntheticLlama.Config c, CheckpointTensors w, DType dtype = DType.F32) =>
        Build(new LlamaArchitecture(), SyntheticLlama.ConfigJson(c, dtype), w, dtype);

    /// <summary>Parses <paramref name="configJson"/> as config.json text and reads it with <paramref name="arch"/>.</summary>
    public static DecoderSpec ReadConfig(IArchitecture arch, IReadOnlyDictionary<string, object?> configJson) =>
        arch.ReadConfig(JsonConfig.Parse(JsonSerializer.Serialize(configJson), "config.json"));

    static DecoderModel Build(IArchitecture arch, IReadOnlyDictionary<string, object?> configJson, CheckpointTensors w, DType dtype)
    {
        var spec = ReadConfig(arch, configJson);
        var weights = arch.LoadWeights(w.ToSource(dtype: dtype), spec);
        return new DecoderModel(arch.WithWeights(spec, weights), weights);
    }
}
