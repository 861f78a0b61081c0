using CircuitInsights.CircuitLens;
using CircuitInsights.Evaluation.Descriptions;
using CircuitInsights.Transcoders;

namespace CircuitInsights.Evaluation.Explainers;

/// <summary>Writes a description of a feature from its top-activating contexts (the MaxAct baseline).</summary>
public interface IFeatureExplainer
{
    string Name { get; }
    Task<FeatureDescription> ExplainAsync(FeatureId feature, IReadOnlyList<ActivatingExample> examples, CancellationToken cancel = default);
}
