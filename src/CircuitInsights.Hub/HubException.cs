namespace CircuitInsights.Hub;

/// <summary>A hub failure, reported as one line (see <see cref="CircuitInsightsException"/>).</summary>
public sealed class HubException : CircuitInsightsException
{
    public HubErrorKind Kind { get; }

    public HubException(HubErrorKind kind, string message) : base(message) => Kind = kind;

    public HubException(HubErrorKind kind, string message, Exception inner) : base(message, inner) => Kind = kind;
}
