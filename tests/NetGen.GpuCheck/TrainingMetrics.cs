using System;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen.Benchmarks;

namespace NetGen.GpuCheck;

/// <summary>A training run's outcome: the last epoch's test accuracy and the median speed over epochs.</summary>
public sealed record TrainingSummary(int Epochs, double TestAccuracy, double ImagesPerSecond)
{
    /// <summary>
    /// Reads the trainer's metrics.csv (one row an epoch; columns found by their header, accuracy as a fraction).
    /// Null when the file is missing or holds no epoch.
    /// </summary>
    public static TrainingSummary? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2)
        {
            return null;
        }

        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new CheckException($"{path} has no column {name}");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        double Value(string[] row, string name) => double.Parse(row[Column(name)], CultureInfo.InvariantCulture);
        return new TrainingSummary(
            rows.Length,
            Value(rows[^1], "test_accuracy"),
            Statistics.Median(rows.Select(r => Value(r, "images_per_second")).ToArray()));
    }
}
