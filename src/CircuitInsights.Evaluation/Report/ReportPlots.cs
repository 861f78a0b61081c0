using ScottPlot;

namespace CircuitInsights.Evaluation.Report;

/// <summary>PNG charts of an evaluation (ScottPlot, headless): per metric, the mean per layer as grouped bars, one colour per method.</summary>
public static class ReportPlots
{
    /// <summary>Writes one grouped bar chart; <paramref name="value"/> null = no bar.</summary>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> methods, IReadOnlyList<int> layers,
        Func<string, int, double?> value, double? yMax = 1)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / Math.Max(1, methods.Count);
        for (int m = 0; m < methods.Count; m++)
        {
            var bars = new List<Bar>();
            for (int l = 0; l < layers.Count; l++)
            {
                if (value(methods[m], layers[l]) is not double v || double.IsNaN(v)) continue;
                bars.Add(new Bar
                {
                    Position = l - 0.4 + width * (m + 0.5), Value = v, Size = width * 0.9,
                    FillColor = palette.GetColor(m), LineWidth = 0,
                });
            }
            if (bars.Count > 0) plot.Add.Bars(bars.ToArray());
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = methods[m], FillColor = palette.GetColor(m) });
        }
        plot.Axes.Bottom.SetTicks(layers.Select((_, i) => (double)i).ToArray(), layers.Select(l => $"L{l}").ToArray());
        plot.Axes.Bottom.Label.Text = "layer";
        plot.Axes.Left.Label.Text = yLabel;
        plot.Title(title);
        plot.Axes.SetLimitsX(-0.6, layers.Count - 0.4);
        if (yMax is double y) plot.Axes.SetLimitsY(0, y * 1.05);
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 720, 420);
    }
}
