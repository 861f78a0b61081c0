using System.Globalization;

namespace CircuitInsights.Cli.Common;

/// <summary>Parses sizes such as <c>8G</c>, <c>8GB</c>, <c>512MiB</c>, <c>1.5T</c>; a bare number is in GiB. Units are binary (1G = 2³⁰ bytes).</summary>
public static class ByteSize
{
    public static long Parse(string text, string option)
    {
        string s = text.Trim();
        int end = s.Length;
        while (end > 0 && char.IsLetter(s[end - 1])) end--;
        string unit = s[end..].ToUpperInvariant().Replace("IB", "").Replace("B", "");
        long scale = unit switch
        {
            "" or "G" => 1L << 30,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "T" => 1L << 40,
            _ => 0,
        };
        if (s[end..].Equals("B", StringComparison.OrdinalIgnoreCase)) scale = 1;
        if (scale == 0 || !double.TryParse(s[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * scale > long.MaxValue / 2)
            throw new CircuitInsightsException($"{option}: '{text}' is not a size (examples: 8G, 512M, 1.5T; a bare number is in GiB)");
        return (long)(value * scale);
    }
}
