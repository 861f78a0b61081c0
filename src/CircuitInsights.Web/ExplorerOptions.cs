namespace CircuitInsights.Web;

/// <summary>How <c>circuit-insights serve</c> runs the explorer.</summary>
public sealed record ExplorerOptions
{
    /// <summary>Feature store (.sqlite) to serve.</summary>
    public required string DbPath { get; init; }
    /// <summary>Address to bind (default 127.0.0.1).</summary>
    public string? Host { get; init; }
    /// <summary>True when the user named the host explicitly; required for any non-loopback address (<see cref="BindingPolicy"/>).</summary>
    public bool HostExplicit { get; init; }
    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 5080;
    /// <summary>Model + transcoders for the prompt box (optional).</summary>
    public PromptAnalyzer? Prompt { get; init; }
}
