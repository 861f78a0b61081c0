namespace CircuitInsights.Formats;

/// <summary>Thrown by a persistent-id loader to report a bad id; the reader turns it into an <see cref="InvalidModelFileException"/> with position.</summary>
public sealed class PersistentLoadException(string message) : Exception(message);
