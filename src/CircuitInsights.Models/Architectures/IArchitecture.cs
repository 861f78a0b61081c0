using CircuitInsights.Formats;
using CircuitInsights.Models.Components;

namespace CircuitInsights.Models.Architectures;

/// <summary>
/// One model family: how its HF <c>config.json</c> maps to a <see cref="DecoderSpec"/> and how its checkpoint names map
/// to canonical weights. Architecture quirks live only in implementations of this interface.
/// </summary>
public interface IArchitecture
{
    /// <summary>HF <c>model_type</c> values handled (e.g. "gpt2").</summary>
    IReadOnlyList<string> ModelTypes { get; }

    DecoderSpec ReadConfig(JsonConfig config);

    /// <summary>Tensors the checkpoint must contain (names as stored, without optional prefixes) and their shapes.</summary>
    IEnumerable<(string Name, int[] Shape)> ExpectedTensors(DecoderSpec spec);

    /// <summary>Maps the checkpoint to canonical weights (views + packed copies), validating names, shapes and dtypes.</summary>
    DecoderWeights LoadWeights(ITensorSource source, DecoderSpec spec);

    /// <summary>The spec completed with what only the stored weights tell (their dtype; e.g. Gemma's embedding normaliser is
    /// rounded to it). Called by <see cref="ModelLoader"/> after <see cref="LoadWeights"/>.</summary>
    DecoderSpec WithWeights(DecoderSpec spec, DecoderWeights weights) => spec with { WeightDType = weights.TokenEmbedding.DType };
}
