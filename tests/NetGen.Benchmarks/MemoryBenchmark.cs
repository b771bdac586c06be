using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using NetGen.Examples;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Benchmarks;

/// <summary>Native memory: growth over many ResNet18 training steps, and the peak of one ResNet50 step.</summary>
public static class MemoryBenchmark
{
    private const int WarmUpSteps = 20;
    private const int Window = 30;

    public static void Run(BenchOptions options)
    {
        if (!NativeMemory.Available)
        {
            Console.WriteLine("## Memory: skipped (needs Linux /proc)");
            return;
        }

        // Runs after the speed section: this changes glibc's behaviour for the rest of the process.
        NativeMemory.ReturnFreedMemoryToSystem();
        Growth(options);
        Peak(options);
    }

    private static void Growth(BenchOptions options)
    {
        torch.manual_seed(1);
        using var model = new ResNet18();
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.001, momentum: 0.9);
        using var input = torch.randn(options.Batch, 3, 224, 224);
        using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
        for (var i = 0; i < WarmUpSteps; i++)
        {
            SpeedBenchmark.TrainStep(model, optimizer, input, target);
        }

        var resident = new List<double>();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < options.Steps; i++)
        {
            SpeedBenchmark.TrainStep(model, optimizer, input, target);
            resident.Add(NativeMemory.ResidentMiB());
        }

        var window = Math.Min(Window, resident.Count / 2);
        var first = Statistics.Median(resident.Take(window));
        var last = Statistics.Median(resident.Skip(resident.Count - window));
        Console.WriteLine($"## Memory: generated ResNet18, {options.Steps} training steps after {WarmUpSteps} warm-up steps (batch {options.Batch}, 224x224)");
        Console.WriteLine();
        Console.WriteLine("| First 30 steps (median RSS) | Last 30 steps (median RSS) | Growth | Min / max RSS | Time per step |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {first:F1} MiB | {last:F1} MiB | {(last - first) / first:+0.00%;-0.00%} | {resident.Min():F1} / {resident.Max():F1} MiB | {stopwatch.Elapsed.TotalMilliseconds / options.Steps:F0} ms |"));
        Console.WriteLine();
    }

    private static void Peak(BenchOptions options)
    {
        const int Repetitions = 3;
        torch.manual_seed(1);
        using var input = torch.randn(options.Batch, 3, 224, 224);
        using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
        var rows = new List<(string Name, double Peak, double Before)>();
        foreach (var (name, create) in new (string, Func<Net>)[] { ("generated ResNet50", () => new ResNet50()), ("TorchVision resnet50", () => torchvision.models.resnet50()) })
        {
            using var model = create();
            model.train();
            using var optimizer = torch.optim.SGD(model.parameters(), 0.001, momentum: 0.9);

            // Warm-up: momentum buffers and gradients exist from the first step on.
            SpeedBenchmark.TrainStep(model, optimizer, input, target);
            var peaks = new List<double>();
            var before = new List<double>();
            for (var i = 0; i < Repetitions; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                NativeMemory.ResetPeak();
                var resident = NativeMemory.ResidentMiB();
                SpeedBenchmark.TrainStep(model, optimizer, input, target);
                before.Add(resident);
                peaks.Add(NativeMemory.PeakMiB() - resident);
            }

            rows.Add((name, Statistics.Median(peaks), Statistics.Median(before)));
        }

        Console.WriteLine($"## Memory: peak of one ResNet50 training step (batch {options.Batch}, 224x224; median of {Repetitions} after one warm-up step)");
        Console.WriteLine();
        Console.WriteLine("| Model | RSS before the step | Peak above it during the step |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Before:F1} MiB | {row.Peak:F1} MiB |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nRatio of peaks (generated / TorchVision): {rows[0].Peak / rows[1].Peak:F3}"));
        Console.WriteLine();
    }
}
