using CircuitInsights.Evaluation.Activations;

namespace CircuitInsights.Evaluation;

/// <summary>Counts and thresholds of a FADE evaluation; defaults are FADE's (default_config.yaml, paper.md §6).</summary>
public sealed record FadeOptions
{
    /// <summary>Natural samples rated for Responsiveness/Purity (<c>responsiveness_and_purity.num_samples</c>).</summary>
    public int RatedSamples { get; init; } = 500;
    /// <summary>Share of the rated samples taken from the top activations (<c>rating_top_sampling_percentage</c>).</summary>
    public double TopShare { get; init; } = 0.1;
    /// <summary>Clarity and Responsiveness must both reach this for Faithfulness to be computed (<c>gini_threshold</c>).</summary>
    public double GiniThreshold { get; init; } = 0.5;
    public bool Faithfulness { get; init; } = true;
    /// <summary>Prompts generated from per factor (<c>faithfulness.num_samples</c>).</summary>
    public int FaithfulnessPrompts { get; init; } = 50;
    /// <summary>Tokens generated per prompt (<c>generation_length</c>).</summary>
    public int GenerationLength { get; init; } = 30;
    /// <summary>Prompt length in tokens (BOS included): the start of a natural window (FADE uses whole dataset samples).</summary>
    public int PromptTokens { get; init; } = 16;
    /// <summary>Modification factors m (<c>modification_factors</c>); 0 is added when missing.</summary>
    public IReadOnlyList<double> Factors { get; init; } = [-50, -10, -1, 0, 1, 10, 50];
    public SteeringMode Steering { get; init; } = SteeringMode.Multiply;
    /// <summary>Generated sequences decoded per forward batch.</summary>
    public int GenerationBatch { get; init; } = 50;
    /// <summary>Seed of the stratified draw and of the prompt choice.</summary>
    public int Seed { get; init; } = 1234;
}
