using System.Text;

namespace CircuitInsights.WeightLens.Description;

/// <summary>String helpers that reproduce numpy's behaviour on unicode arrays (used by the authors' np.unique).</summary>
public static class NumpyStrings
{
    /// <summary><c>np.unique(list).tolist()</c>: numpy unicode strings drop trailing NUL characters; the result is sorted by
    /// code point (UCS-4 order, which differs from UTF-16 ordinal order for characters beyond U+FFFF) and de-duplicated.</summary>
    public static string[] Unique(IEnumerable<string> values) =>
        values.Select(v => v.TrimEnd('\0')).Distinct(StringComparer.Ordinal).Order(CodePointComparer.Instance).ToArray();

    /// <summary>Orders strings by Unicode code point sequence.</summary>
    public sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var ex = x.EnumerateRunes();
            var ey = y.EnumerateRunes();
            while (true)
            {
                bool hx = ex.MoveNext(), hy = ey.MoveNext();
                if (!hx || !hy) return hx == hy ? 0 : hx ? 1 : -1;
                int c = ex.Current.Value.CompareTo(ey.Current.Value);
                if (c != 0) return c;
            }
        }
    }
}
