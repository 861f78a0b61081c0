using CircuitInsights.Evaluation.Descriptions;

namespace CircuitInsights.Evaluation.Judges;

/// <summary>
/// FADE's evaluator: writes concept samples for a description (Clarity) and rates texts 0/1/2 for how clearly they
/// express it (Responsiveness, Purity, Faithfulness): 0 = not expressed, 1 = vaguely or partly, 2 = clearly.
/// </summary>
public interface IJudge
{
    /// <summary>Short name stored with the scores (e.g. "offline", "llm:gpt-4o-mini").</summary>
    string Name { get; }

    /// <summary>Texts that express the description's concept.</summary>
    Task<IReadOnlyList<string>> GenerateConceptSamplesAsync(FeatureDescription description, CancellationToken cancel = default);

    /// <summary>A rating (0, 1, 2) per text, null where the judge gave none.</summary>
    Task<IReadOnlyList<int?>> RateAsync(FeatureDescription description, IReadOnlyList<string> texts, CancellationToken cancel = default);
}
