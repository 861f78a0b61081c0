namespace CircuitInsights.WeightLens.PostProcessing;

/// <summary>
/// A port of CPython's <c>difflib.SequenceMatcher(None, a, b).ratio()</c> over Unicode code points, including the
/// "autojunk" heuristic (for b of 200+ elements, elements occurring more than 1 + len(b)/100 times are dropped from the
/// index of b; they can still extend a match): ratio = 2·M / (len(a) + len(b)), M = total size of the matching blocks
/// found by recursive longest-match search (1.0 for two empty strings). Used by the authors' token grouping
/// (WL postprocessing.group_similar); ports that skip autojunk disagree with CPython on long strings (dotnet.md §2).
/// </summary>
public static class SequenceMatcher
{
    public static double Ratio(string a, string b, bool autoJunk = true)
    {
        var x = CodePoints(a);
        var y = CodePoints(b);
        int total = x.Length + y.Length;
        return total == 0 ? 1.0 : 2.0 * MatchingCharacters(x, y, autoJunk) / total;
    }

    /// <summary>Σ sizes of the matching blocks (difflib get_matching_blocks).</summary>
    public static int MatchingCharacters(int[] a, int[] b, bool autoJunk = true)
    {
        var b2j = new Dictionary<int, List<int>>();
        for (int j = 0; j < b.Length; j++)
        {
            if (!b2j.TryGetValue(b[j], out var list)) b2j[b[j]] = list = [];
            list.Add(j);
        }
        if (autoJunk && b.Length >= 200)
        {
            int ntest = b.Length / 100 + 1;
            foreach (var popular in b2j.Where(kv => kv.Value.Count > ntest).Select(kv => kv.Key).ToArray()) b2j.Remove(popular);
        }
        int matched = 0;
        var queue = new Stack<(int ALo, int AHi, int BLo, int BHi)>();
        queue.Push((0, a.Length, 0, b.Length));
        while (queue.Count > 0)
        {
            var (alo, ahi, blo, bhi) = queue.Pop();
            var (i, j, k) = LongestMatch(a, b, b2j, alo, ahi, blo, bhi);
            if (k == 0) continue;
            matched += k;
            if (alo < i && blo < j) queue.Push((alo, i, blo, j));
            if (i + k < ahi && j + k < bhi) queue.Push((i + k, ahi, j + k, bhi));
        }
        return matched;
    }

    /// <summary>difflib find_longest_match without a junk predicate (popular elements are not junk: they may extend).</summary>
    static (int I, int J, int K) LongestMatch(int[] a, int[] b, Dictionary<int, List<int>> b2j, int alo, int ahi, int blo, int bhi)
    {
        int besti = alo, bestj = blo, bestsize = 0;
        var j2len = new Dictionary<int, int>();
        for (int i = alo; i < ahi; i++)
        {
            var next = new Dictionary<int, int>();
            if (b2j.TryGetValue(a[i], out var indices))
                foreach (int j in indices)
                {
                    if (j < blo) continue;
                    if (j >= bhi) break;
                    int k = (j2len.TryGetValue(j - 1, out int prev) ? prev : 0) + 1;
                    next[j] = k;
                    if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
                }
            j2len = next;
        }
        while (besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1]) { besti--; bestj--; bestsize++; }
        while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize]) bestsize++;
        return (besti, bestj, bestsize);
    }

    static int[] CodePoints(string s)
    {
        var list = new List<int>(s.Length);
        foreach (var r in s.EnumerateRunes()) list.Add(r.Value);
        return list.ToArray();
    }
}
