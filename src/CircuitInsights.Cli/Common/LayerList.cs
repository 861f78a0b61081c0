namespace CircuitInsights.Cli.Common;

/// <summary>Parses layer lists such as "0,3-5,11".</summary>
public static class LayerList
{
    public static int[] Parse(string? text, int layers)
    {
        if (string.IsNullOrWhiteSpace(text)) return Enumerable.Range(0, layers).ToArray();
        var result = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length is < 1 or > 2 || !int.TryParse(range[0], out int a) || !int.TryParse(range[^1], out int b) || a < 0 || b < a)
                throw new CircuitInsightsException($"--layers: '{part}' is not a layer or range (e.g. 0,3-5)");
            if (b >= layers) throw new CircuitInsightsException($"--layers: layer {b} does not exist (the model has {layers} layers)");
            for (int l = a; l <= b; l++) result.Add(l);
        }
        return result.ToArray();
    }
}
