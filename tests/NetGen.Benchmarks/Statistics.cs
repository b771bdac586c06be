using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>Order statistics of a few timings (medians: one slow outlier must not move the result).</summary>
public static class Statistics
{
    /// <summary>Wall-clock milliseconds of one call.</summary>
    public static double Milliseconds(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The median (the mean of the middle two for an even count); NaN for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The 25th and 75th percentile (linear interpolation).</summary>
    public static (double Low, double High) Quartiles(IReadOnlyCollection<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return (Quantile(sorted, 0.25), Quantile(sorted, 0.75));
    }

    /// <summary>Half the distance between the 25th and 75th percentile, relative to the median: the noise of a row.</summary>
    public static double RelativeSpread(IReadOnlyCollection<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length < 2)
        {
            return 0;
        }

        return (Quantile(sorted, 0.75) - Quantile(sorted, 0.25)) / 2 / Median(sorted);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
