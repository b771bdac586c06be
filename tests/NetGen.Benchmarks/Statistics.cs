using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>Order statistics of a few timings (medians: one slow outlier must not move the result).</summary>
public static class Statistics
{
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

    /// <summary>Half the distance between the 25th and 75th percentile, relative to the median: the noise of a row.</summary>
    public static double RelativeSpread(IReadOnlyCollection<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length < 2)
        {
            return 0;
        }

        double Quantile(double q)
        {
            var position = q * (sorted.Length - 1);
            var low = (int)Math.Floor(position);
            var high = Math.Min(low + 1, sorted.Length - 1);
            return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
        }

        return (Quantile(0.75) - Quantile(0.25)) / 2 / Median(sorted);
    }
}
