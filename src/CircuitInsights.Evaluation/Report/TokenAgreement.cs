using CircuitInsights.Evaluation.Descriptions;

namespace CircuitInsights.Evaluation.Report;

/// <summary>
/// Ground-truth agreement of a description's tokens with the true token set: F1 of the two sets of lemmas
/// (<see cref="TokenNormalizer.Lemma"/>), so " cat", "cat" and "cats" count as one. Null when either set is empty.
/// </summary>
public static class TokenAgreement
{
    public static double? F1(IEnumerable<string> described, IEnumerable<string> truth)
    {
        var a = described.Select(TokenNormalizer.Lemma).Where(t => t.Length > 0).ToHashSet();
        var b = truth.Select(TokenNormalizer.Lemma).Where(t => t.Length > 0).ToHashSet();
        if (a.Count == 0 || b.Count == 0) return a.Count == 0 && b.Count > 0 ? 0 : null;
        int both = a.Count(b.Contains);
        if (both == 0) return 0;
        double precision = both / (double)a.Count, recall = both / (double)b.Count;
        return 2 * precision * recall / (precision + recall);
    }
}
