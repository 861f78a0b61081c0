namespace CircuitInsights;

/// <summary>
/// An error caused by the user's input (a file, an argument, a configuration), as opposed to a bug.
/// The message is one line that names what was wrong, where, and what was expected; the CLI prints it as is
/// and exits with a non-zero code.
/// </summary>
public class CircuitInsightsException : Exception
{
    public CircuitInsightsException(string message) : base(message) { }
    public CircuitInsightsException(string message, Exception inner) : base(message, inner) { }
}
