namespace CircuitInsights.Evaluation.Judges;

/// <summary>FADE's evaluator settings (FADE default_config.yaml).</summary>
public sealed record LlmJudgeOptions
{
    /// <summary>Generation calls for Clarity's concept samples (<c>clarity.llm_calls</c>).</summary>
    public int GenerationCalls { get; init; } = 15;
    /// <summary>Texts per rating call (<c>rating_batch_size</c>).</summary>
    public int RatingBatchSize { get; init; } = 15;
    /// <summary>Extra rounds for texts left unrated (<c>max_failed_retries</c>).</summary>
    public int MaxFailedRetries { get; init; } = 1;
    /// <summary>Temperature of generation calls (LangChain's ChatOpenAI default, which FADE uses).</summary>
    public double GenerationTemperature { get; init; } = 0.7;
    /// <summary>Temperature of rating calls.</summary>
    public double RatingTemperature { get; init; }
    /// <summary>Characters of a text shown to the rater (longer texts are cut).</summary>
    public int MaxTextChars { get; init; } = 1200;
}
