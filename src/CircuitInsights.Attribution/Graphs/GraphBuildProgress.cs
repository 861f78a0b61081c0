namespace CircuitInsights.Attribution.Graphs;

/// <summary>
/// A progress report of <see cref="AttributionGraphBuilder"/>: phase <see cref="Phase"/> (0 context, 1 salient logits,
/// 2 logit rows, 3 feature rows, 4 assembly) has done <see cref="Done"/> of <see cref="Total"/> units;
/// <see cref="Finished"/> marks the phase's last report, whose <see cref="Elapsed"/> is the phase's time.
/// </summary>
public sealed record GraphBuildProgress(int Phase, string Name, long Done, long Total, TimeSpan Elapsed, bool Finished, string? Message = null)
{
    public static readonly string[] PhaseNames = ["context", "salient logits", "logit rows", "feature rows", "assembly"];

    public override string ToString() =>
        $"phase {Phase} ({Name}): {Done}/{Total}{(Finished ? $" done in {Elapsed.TotalSeconds:F2} s" : "")}{(Message is null ? "" : " — " + Message)}";
}
