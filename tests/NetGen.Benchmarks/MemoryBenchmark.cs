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
    private const int SettledEvery = 10;

    /// <summary>
    /// Each measurement runs in a fresh process of this program: memory that an earlier section (or
    /// model) freed but the allocator kept would otherwise hide a later one's allocations.
    /// </summary>
    public static void Run(BenchOptions options)
    {
        if (!NativeMemory.Available)
        {
            Console.WriteLine("## Memory: skipped (needs Linux /proc)");
            return;
        }

        Console.Write(ChildProcess.Run("--child", "growth", "--steps", options.Steps.ToString(CultureInfo.InvariantCulture), "--batch", options.Batch.ToString(CultureInfo.InvariantCulture)));
        var peaks = new List<string>();
        for (var i = 0; i < PeakProcesses; i++)
        {
            // Alternating, so a machine that drifts affects both alike.
            foreach (var model in new[] { "generated", "torchvision" })
            {
                peaks.Add(ChildProcess.Run("--child", "peak", model, "--batch", options.Batch.ToString(CultureInfo.InvariantCulture)).Trim());
            }
        }

        PrintPeaks(options, peaks);
    }

    /// <summary>Runs in the child process: <c>--child growth</c> or <c>--child peak generated|torchvision</c>.</summary>
    public static int RunChild(string what, string? model, BenchOptions options)
    {
        switch (what)
        {
            case "growth":
                NativeMemory.ReturnFreedMemoryToSystem();
                Growth(options);
                return 0;
            case "peak" when model is "generated" or "torchvision":
                NativeMemory.ReturnFreedMemoryToSystem();
                var (before, peak) = Peak(model == "generated" ? () => new ResNet50() : () => torchvision.models.resnet50(), options);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} {before:F1} {peak:F1}"));
                return 0;
            default:
                Console.Error.WriteLine($"unknown child measurement '{what} {model}'");
                return 2;
        }
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

        // Every step: resident memory as it is. Every 10th step also after a full garbage collection,
        // so the managed heap's own timing (TorchSharp's tensor wrappers are small managed objects)
        // does not pass for native growth.
        var resident = new List<double>();
        var settled = new List<(int Step, double Resident, double Managed, long LiveTensors)>();
        var stopwatch = Stopwatch.StartNew();
        for (var step = 1; step <= options.Steps; step++)
        {
            SpeedBenchmark.TrainStep(model, optimizer, input, target);
            resident.Add(NativeMemory.ResidentMiB());
            if (step % SettledEvery == 0 || step == 1)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                settled.Add((step, NativeMemory.ResidentMiB(), GC.GetTotalMemory(false) / 1048576.0, DisposeScopeManager.Statistics.ThreadTotalLiveCount));
            }
        }

        var window = Math.Min(Window, resident.Count / 2);
        var first = Statistics.Median(resident.Take(window));
        var last = Statistics.Median(resident.Skip(resident.Count - window));
        var early = Statistics.Median(settled.Take(3).Select(s => s.Resident));
        var late = Statistics.Median(settled.Skip(settled.Count - 3).Select(s => s.Resident));
        Console.WriteLine($"## Memory: generated ResNet18, {options.Steps} training steps after {WarmUpSteps} warm-up steps (batch {options.Batch}, 224x224)");
        Console.WriteLine();
        Console.WriteLine("| Measure | Early | Late | Growth |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| RSS after each step (median of the first / last {window} steps) | {first:F1} MiB | {last:F1} MiB | {(last - first) / first:+0.00%;-0.00%} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| RSS after a full GC (median of the first / last 3 samples, every {SettledEvery} steps) | {early:F1} MiB | {late:F1} MiB | {(late - early) / early:+0.00%;-0.00%} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| managed heap after a full GC (step 1 / last) | {settled[0].Managed:F1} MiB | {settled[^1].Managed:F1} MiB | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| live tensors (step 1 / last) | {settled[0].LiveTensors} | {settled[^1].LiveTensors} | |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalMilliseconds / options.Steps:F0} ms per step. RSS after a full GC, every {SettledEvery} steps: {string.Join(" ", settled.Select(s => s.Resident.ToString("F0", CultureInfo.InvariantCulture)))} MiB."));
        Console.WriteLine();
    }

    private const int PeakProcesses = 3;

    /// <summary>RSS before a ResNet50 training step and the peak above it during the step (MiB), after one warm-up step.</summary>
    private static (double Before, double Peak) Peak(Func<Net> create, BenchOptions options)
    {
        torch.manual_seed(1);
        using var input = torch.randn(options.Batch, 3, 224, 224);
        using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
        using var model = create();
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.001, momentum: 0.9);

        // Warm-up: gradients and momentum buffers exist from the first step on.
        SpeedBenchmark.TrainStep(model, optimizer, input, target);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        NativeMemory.ResetPeak();
        var before = NativeMemory.ResidentMiB();
        SpeedBenchmark.TrainStep(model, optimizer, input, target);
        return (before, NativeMemory.PeakMiB() - before);
    }

    private static void PrintPeaks(BenchOptions options, IReadOnlyList<string> lines)
    {
        var rows = lines
            .Select(l => l.Split(' '))
            .GroupBy(p => p[0])
            .Select(g => (Name: g.Key, Before: Statistics.Median(g.Select(p => double.Parse(p[1], CultureInfo.InvariantCulture))), Peak: Statistics.Median(g.Select(p => double.Parse(p[2], CultureInfo.InvariantCulture))), All: g.Select(p => p[2]).ToList()))
            .ToList();
        Console.WriteLine($"## Memory: peak of one ResNet50 training step (batch {options.Batch}, 224x224; a fresh process per measurement, median of {PeakProcesses})");
        Console.WriteLine();
        Console.WriteLine("| Model | RSS before the step | Peak above it during the step | Each process |");
        Console.WriteLine("|---|---:|---:|---|");
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(row.Name == "generated" ? "generated ResNet50" : "TorchVision resnet50")} | {row.Before:F1} MiB | {row.Peak:F1} MiB | {string.Join(", ", row.All)} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nRatio of peaks (generated / TorchVision): {rows[0].Peak / rows[1].Peak:F3}"));
        Console.WriteLine();
    }
}
