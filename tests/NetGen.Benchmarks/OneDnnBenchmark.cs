using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Examples;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Benchmarks;

/// <summary>
/// What NetGen's oneDNN guard costs: the generated ResNet50's eval forward and SGD step with libtorch's
/// oneDNN on and off in one process, alternating (the switch is read per operation). Where the guard
/// turns oneDNN off, "on" is not run unless NETGEN_ONEDNN=on asks for it: it may end the process.
/// </summary>
public static class OneDnnBenchmark
{
    public static void Run(BenchOptions options)
    {
        var decided = Platform.OneDnn;
        Console.WriteLine($"## oneDNN on and off: the generated ResNet50 (batch {options.Batch}, 224x224, {options.Repetitions} timed repetitions each, median ms)");
        Console.WriteLine();
        var canRunOn = decided.Enabled || decided.Source == OneDnnSource.Environment;
        if (!canRunOn)
        {
            Console.WriteLine($"oneDNN is off here ({decided.Reason}); not timed with oneDNN on. Set {Platform.OneDnnVariable}=on to time it anyway.");
            Console.WriteLine();
            return;
        }

        torch.manual_seed(1);
        using var network = new ResNet50();
        using var input = torch.randn(options.Batch, 3, 224, 224);
        using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
        Action Toggled(bool enabled, Action action) => () =>
        {
            Platform.UseOneDnn(enabled);
            action();
        };

        Console.WriteLine("| Mode | oneDNN on | oneDNN off | Ratio off / on (paired median, IQR) | Spread (on / off) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        network.eval();
        Row("eval forward", SpeedBenchmark.Measure(
            options.Repetitions,
            Toggled(true, () => SpeedBenchmark.Forward(network, input)),
            Toggled(false, () => SpeedBenchmark.Forward(network, input))));

        network.train();
        using var optimizer = torch.optim.SGD(network.parameters(), 0.001, momentum: 0.9);
        Row("train step", SpeedBenchmark.Measure(
            options.Repetitions,
            Toggled(true, () => SpeedBenchmark.TrainStep(network, optimizer, input, target)),
            Toggled(false, () => SpeedBenchmark.TrainStep(network, optimizer, input, target))));
        Platform.UseOneDnn(decided.Enabled);
        Console.WriteLine();
    }

    private static void Row(string mode, (List<double> On, List<double> Off) times)
    {
        var paired = times.Off.Zip(times.On, (off, on) => off / on).OrderBy(r => r).ToList();
        var (low, high) = Statistics.Quartiles(paired);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {mode} | {Statistics.Median(times.On):F1} | {Statistics.Median(times.Off):F1} | {Statistics.Median(paired):F2} ({low:F2}–{high:F2}) | ±{Statistics.RelativeSpread(times.On):P1} / ±{Statistics.RelativeSpread(times.Off):P1} |"));
    }
}
