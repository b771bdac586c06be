using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace NetGen.Examples.Training;

/// <summary>One line of a chart: its legend text and one value per epoch.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values);

/// <summary>One panel of a chart: a y axis (its label with the unit) and the lines drawn against it.</summary>
public sealed record ChartPanel(string YLabel, IReadOnlyList<ChartSeries> Series);

/// <summary>Training curves as CSV and as PNG line charts (drawn by ScottPlot on SkiaSharp, MIT).</summary>
public static class Charts
{
    /// <summary>The width of a chart in pixels.</summary>
    public const int Width = 900;

    /// <summary>The height of one panel in pixels; a chart is this times its panel count high.</summary>
    public const int PanelHeight = 320;

    // Category10, the palette of matplotlib and ScottPlot: the colours readers of training curves know.
    private static readonly Color[] Palette =
    {
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd"),
        Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    };

    /// <summary>Sans-serif families to draw text in, the first one installed wins.</summary>
    private static readonly string[] SansFamilies = { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Arial", "Helvetica", "FreeSans" };

    static Charts()
    {
        // SkiaSharp's Linux library without fontconfig reads the fonts under /usr/share/fonts itself, and its default
        // typeface is whichever file it met first (a serif here).
        var installed = SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (SansFamilies.FirstOrDefault(installed.Contains) is { } sans)
        {
            Fonts.Default = sans;
        }
    }

    /// <summary>
    /// Whether SkiaSharp finds a font to write text with. Without one (a machine with no files under /usr/share/fonts),
    /// charts are still drawn, lines, axes and legend boxes, but without their text.
    /// </summary>
    public static bool CanDrawText => SKFontManager.Default.FontFamilyCount > 0;

    /// <summary>Writes a header line and one line per row, numbers in the invariant culture (round-trip precision).</summary>
    /// <exception cref="ArgumentException">A row has another number of values than there are columns.</exception>
    public static void WriteCsv(string path, IReadOnlyList<string> columns, IReadOnlyList<double[]> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(Quote)).Append('\n');
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != columns.Count)
            {
                throw new ArgumentException($"row {i} has {rows[i].Length} values for {columns.Count} columns", nameof(rows));
            }

            text.AppendJoin(',', rows[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        CreateFolder(path);
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Draws <paramref name="panels"/> stacked top to bottom over a shared x axis of epochs 1, 2, 3, ...,
    /// each with its own labelled y axis, its lines (a marker per epoch, so a single value shows) and a
    /// legend, under <paramref name="title"/>, into a PNG of <see cref="Width"/> by <see cref="PanelHeight"/>
    /// pixels a panel. Values that are NaN or infinite are left out.
    /// </summary>
    public static void WritePng(string path, string title, string xLabel, IReadOnlyList<ChartPanel> panels)
    {
        if (panels.Count == 0)
        {
            throw new ArgumentException("a chart needs at least one panel", nameof(panels));
        }

        var epochs = Math.Max(1, panels.SelectMany(p => p.Series).Select(s => s.Values.Count).DefaultIfEmpty(0).Max());
        var figure = new Multiplot();
        figure.AddPlots(panels.Count);
        var plots = figure.GetPlots();
        var colour = 0;
        for (var i = 0; i < panels.Count; i++)
        {
            var plot = plots[i];
            var panel = panels[i];
            foreach (var series in panel.Series)
            {
                var points = series.Values.Select((v, e) => (X: e + 1.0, Y: v)).Where(p => double.IsFinite(p.Y)).ToArray();
                var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Palette[colour++ % Palette.Length]);
                line.LegendText = series.Name;
                line.LineWidth = 2;
                line.MarkerSize = 6;
            }

            plot.YLabel(panel.YLabel, 14);
            // Whole epochs only, and no minor ticks between them.
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true, MinorTickGenerator = new EvenlySpacedMinorTickGenerator(1) };
            var margin = epochs == 1 ? 0.5 : 0.03 * (epochs - 1);
            plot.Axes.SetLimitsX(1 - margin, epochs + margin);
            plot.Axes.AutoScaleY();
            if (panel.Series.Count > 0)
            {
                plot.ShowLegend(EmptiestCorner(panel, plot.Axes.GetLimits()));
            }

            // Equal margins in every panel line their data areas up under one another.
            plot.Layout.Fixed(new PixelPadding(left: 80, right: 24, bottom: i == panels.Count - 1 ? 56 : 28, top: i == 0 ? 44 : 12));
        }

        plots[0].Title(title, 16);
        plots[^1].XLabel(xLabel, 14);
        CreateFolder(path);
        figure.SavePng(path, Width, PanelHeight * panels.Count);
    }

    /// <summary>The inner corner of the panel whose neighbourhood holds the fewest points: where the legend hides no line.</summary>
    private static Alignment EmptiestCorner(ChartPanel panel, AxisLimits limits)
    {
        var points = panel.Series.SelectMany(s => s.Values.Select((v, e) => (X: (e + 1 - limits.Left) / limits.HorizontalSpan, Y: (v - limits.Bottom) / limits.VerticalSpan)))
            .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
            .ToList();
        var corners = new[] { (Alignment.UpperRight, 1.0, 1.0), (Alignment.LowerRight, 1.0, 0.0), (Alignment.UpperLeft, 0.0, 1.0), (Alignment.LowerLeft, 0.0, 0.0) };
        return corners.OrderBy(c => points.Count(p => Math.Abs(p.X - c.Item2) < 0.45 && Math.Abs(p.Y - c.Item3) < 0.4)).First().Item1;
    }

    private static string Quote(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void CreateFolder(string path)
    {
        // Charts go into a run's output folder, which may not exist before the first epoch ends.
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
