using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

using NetGen.Benchmarks;

namespace NetGen.GpuCheck;

/// <summary>How many steps to time: <see cref="Warmup"/> untimed steps of each, then <see cref="Iterations"/> timed ones.</summary>
public sealed record TimingPlan(int Warmup, int Iterations);

/// <summary>
/// Times steps alternately (A, B; then B, A; …) after the same warm-up, so that a change of the machine's speed
/// during a run moves every step alike; each step ends with a device synchronisation. Reports medians in ms.
/// </summary>
public static class Timing
{
    /// <summary>The median time of each step, in the order given.</summary>
    public static double[] Alternating(IReadOnlyList<Action> steps, TimingPlan plan, ComputeDevice device)
    {
        foreach (var step in steps)
        {
            for (var i = 0; i < plan.Warmup; i++)
            {
                step();
            }
        }

        device.Synchronize();
        var times = steps.Select(_ => new List<double>()).ToArray();
        for (var i = 0; i < plan.Iterations; i++)
        {
            for (var k = 0; k < steps.Count; k++)
            {
                var index = i % 2 == 0 ? k : steps.Count - 1 - k;
                var start = Stopwatch.GetTimestamp();
                steps[index]();
                device.Synchronize();
                times[index].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return times.Select(Statistics.Median).ToArray();
    }
}
