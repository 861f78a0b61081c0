namespace CircuitInsights.Formats;

/// <summary>A checkpoint, tokenizer or config file is missing, truncated, malformed or inconsistent. The message names the file
/// (and tensor/key where relevant) and what was expected versus found.</summary>
public sealed class InvalidModelFileException : CircuitInsightsException
{
    public string? FilePath { get; }

    public InvalidModelFileException(string? filePath, string message) : base(filePath is null ? message : $"{filePath}: {message}") => FilePath = filePath;

    public InvalidModelFileException(string? filePath, string message, Exception inner) : base(filePath is null ? message : $"{filePath}: {message}", inner) => FilePath = filePath;
}
