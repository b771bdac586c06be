using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen.Examples.Training;
using SkiaSharp;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>The CSV and PNG curves that <c>train</c> writes after every epoch.</summary>
public sealed class ChartTests : IDisposable
{
    private static readonly (string Series, SKColor Colour)[] Lines =
    {
        ("train loss", SKColor.Parse("#1f77b4")),
        ("train accuracy", SKColor.Parse("#ff7f0e")),
        ("validation accuracy", SKColor.Parse("#2ca02c")),
        ("test accuracy", SKColor.Parse("#d62728")),
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-charts-" + Guid.NewGuid().ToString("N"));

    public ChartTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void The_curves_are_a_PNG_with_loss_above_and_the_three_accuracies_below(int epochs)
    {
        TrainCommand.WriteCurves(_folder, "TinyResNet on Fashion-MNIST (8,000 train / 1,000 validation / 1,000 test images)", History(epochs));

        using var image = SKBitmap.Decode(Path.Combine(_folder, "curves.png"));
        Assert.NotNull(image);
        Assert.Equal((Charts.Width, 2 * Charts.PanelHeight), (image.Width, image.Height));
        var pixels = image.Pixels;
        Assert.True(pixels.Count(p => p != SKColors.White) > image.Width * image.Height / 50, "the chart is (nearly) blank");
        Assert.Contains(pixels, p => p.Red < 40 && p.Green < 40 && p.Blue < 40); // the axes' frames

        // Each line shows, the loss only in the upper panel and the accuracies only in the lower one.
        for (var i = 0; i < Lines.Length; i++)
        {
            var rows = Enumerable.Range(0, image.Height).Where(y => Enumerable.Range(0, image.Width).Any(x => Near(image.GetPixel(x, y), Lines[i].Colour))).ToList();
            Assert.True(rows.Count > 0, $"no {Lines[i].Series} pixels");
            Assert.True(i == 0 ? rows.Max() < Charts.PanelHeight : rows.Min() >= Charts.PanelHeight, $"{Lines[i].Series} is drawn in rows {rows.Min()} to {rows.Max()}");
        }
    }

    [Fact]
    public void The_title_is_drawn_where_a_font_is_installed()
    {
        // SkiaSharp's Linux library without fontconfig finds fonts under /usr/share/fonts only; with none, text is left out.
        if (!Charts.CanDrawText)
        {
            return;
        }

        var titles = new[] { "TinyResNet on Fashion-MNIST", "Another network on other data" };
        var images = titles.Select((title, i) =>
        {
            var folder = Path.Combine(_folder, i.ToString(CultureInfo.InvariantCulture));
            TrainCommand.WriteCurves(folder, title, History(3));
            return SKBitmap.Decode(Path.Combine(folder, "curves.png"));
        }).ToList();

        var differing = Enumerable.Range(0, images[0].Height).Where(y => Enumerable.Range(0, images[0].Width).Any(x => images[0].GetPixel(x, y) != images[1].GetPixel(x, y))).ToList();
        Assert.NotEmpty(differing);
        Assert.True(differing.Max() < 40, $"rows {differing.Min()} to {differing.Max()} differ: more than the title");
        images.ForEach(i => i.Dispose());
    }

    [Fact]
    public void Metrics_csv_has_a_column_for_every_measure_and_one_row_an_epoch()
    {
        var history = History(3);
        TrainCommand.WriteCurves(_folder, "chart", history);

        var lines = File.ReadAllLines(Path.Combine(_folder, "metrics.csv"));
        Assert.Equal("epoch,train_loss,train_accuracy,validation_accuracy,test_accuracy,images_per_second,seconds,resident_mb", lines[0]);
        var rows = lines[1..].Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(history.Select(r => new[] { r.Epoch, r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy, r.TestAccuracy, r.ImagesPerSecond, r.Seconds, r.ResidentMegabytes }), rows);
    }

    [Fact]
    public void A_CSV_reads_back_the_same_numbers_in_any_culture()
    {
        var path = Path.Combine(_folder, "history.csv");
        var rows = new[] { new[] { 1, 2.302585092994046, 0.1 }, new[] { 2, 1.0 / 3, -1e-7 }, new[] { 3, double.NaN, 1e300 } };
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma must not leak into the file (a cloned culture, since the build is globalization-invariant).
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            Charts.WriteCsv(path, new[] { "epoch", "loss", "val accuracy" }, rows);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,val accuracy", lines[0]);
        var back = lines[1..].Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(rows, back);
    }

    /// <summary>A made-up run: loss falling from 2.3, accuracies rising towards 90 %, test a little under validation.</summary>
    private static List<TrainCommand.EpochRecord> History(int epochs) => Enumerable.Range(1, epochs)
        .Select(e => new TrainCommand.EpochRecord(e, 2.3 / e, 0.9 - (0.5 / e), 0.88 - (0.45 / e), 1000 + e, 60 + e, 800 - e, 0.87 - (0.45 / e)))
        .ToList();

    private static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 12;
}
