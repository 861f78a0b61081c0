using System.Globalization;

namespace CircuitInsights.Cli.Common;

/// <summary>
/// A feature edit on the command line: <c>LAYER:POS:FEATURE=NUMBER</c>. POS is a token position (negative counts from
/// the end, −1 = last) or <c>*</c> for every position.
/// </summary>
public sealed record FeatureSpec(int Layer, int? Position, int Feature, float Number)
{
    public static FeatureSpec Parse(string text, string option)
    {
        string Bad(string why) => $"{option} '{text}': {why} (expected LAYER:POS:FEATURE=NUMBER, e.g. 3:-1:1234=5.0; POS may be * for all positions)";
        int eq = text.IndexOf('=');
        if (eq < 0) throw new CircuitInsightsException(Bad("missing '='"));
        var parts = text[..eq].Split(':', StringSplitOptions.TrimEntries);
        if (parts.Length != 3) throw new CircuitInsightsException(Bad("need three ':'-separated fields before '='"));
        if (!int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int layer) || layer < 0) throw new CircuitInsightsException(Bad($"layer '{parts[0]}' is not a non-negative integer"));
        int? pos = null;
        if (parts[1] != "*")
        {
            if (!int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int p)) throw new CircuitInsightsException(Bad($"position '{parts[1]}' is not an integer or *"));
            pos = p;
        }
        if (!int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int feature) || feature < 0) throw new CircuitInsightsException(Bad($"feature '{parts[2]}' is not a non-negative integer"));
        if (!float.TryParse(text[(eq + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float number) || !float.IsFinite(number)) throw new CircuitInsightsException(Bad($"'{text[(eq + 1)..]}' is not a finite number"));
        return new FeatureSpec(layer, pos, feature, number);
    }

    /// <summary>The positions this spec addresses in a prompt of <paramref name="length"/> tokens.</summary>
    public IEnumerable<int> Positions(int length, string option)
    {
        if (Position is not int p) return Enumerable.Range(0, length);
        int q = p < 0 ? length + p : p;
        if ((uint)q >= (uint)length) throw new CircuitInsightsException($"{option} {Layer}:{p}:{Feature}: position {p} is outside the prompt's {length} tokens");
        return [q];
    }
}
