namespace CircuitInsights.Formats;

/// <summary>
/// Resource limits of <see cref="PickleReader"/>, so hostile or fuzzed input fails with
/// <see cref="InvalidModelFileException"/> instead of exhausting memory or time. Each opcode consumes at least one
/// input byte and copies are charged to a work budget proportional to the input, so running time is linear in size.
/// </summary>
public sealed record PickleLimits
{
    public static PickleLimits Default { get; } = new();

    /// <summary>Largest pickle stream accepted.</summary>
    public long MaxInputBytes { get; init; } = 1L << 30;
    /// <summary>Most values on the VM stack at once.</summary>
    public int MaxStackSize { get; init; } = 1_000_000;
    /// <summary>Most open MARKs at once.</summary>
    public int MaxMarkDepth { get; init; } = 100_000;
    /// <summary>Most memo entries.</summary>
    public int MaxMemoEntries { get; init; } = 1_000_000;
    /// <summary>Deepest container nesting.</summary>
    public int MaxNesting { get; init; } = 512;
    /// <summary>Most digits of a text integer (Python's own default limit is 4300).</summary>
    public int MaxIntegerDigits { get; init; } = 4300;
    /// <summary>Element copies allowed per input byte (plus a fixed allowance) for conversions such as dict(list).</summary>
    public int WorkPerInputByte { get; init; } = 64;
}
