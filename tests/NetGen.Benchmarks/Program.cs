using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The benchmark command: <c>dotnet run -c Release --project tests/NetGen.Benchmarks -- [sections] [options]</c>.
/// Every section prints Markdown tables (docs/benchmarks.md quotes them).
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/NetGen.Benchmarks -- [speed] [memory] [generator] [build] [onednn] [blocks] [options]
          (no section: all six)
          --reps N         timed repetitions per model and mode (speed, default 7)
          --networks A,B   speed: a subset of ResNet50, VGG16, GoogLeNet, InceptionV3, ResNeXt50_32x4d;
                           blocks: of ResNet50, DenseNet121, RegNetY_1_6GF, EfficientNetB0
          --steps N        memory: training steps of ResNet18 after warm-up (default 300)
          --batch N        batch size (default 8)
          --resolution N   speed: input height and width instead of each network's own (at least 75 for
                           Inception v3); with --batch 1 and a small N the compute shrinks and what is
                           left is the cost of the C# around it
        """;

    public static int Main(string[] args)
    {
        var sections = new List<string>();
        var options = new BenchOptions();
        string? child = null;
        string? childModel = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "speed" or "memory" or "generator" or "build" or "onednn" or "blocks":
                    sections.Add(args[i]);
                    break;
                case "--child" when i + 1 < args.Length:
                    child = args[++i];
                    if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        childModel = args[++i];
                    }

                    break;
                case "--reps" when i + 1 < args.Length:
                    options = options with { Repetitions = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--steps" when i + 1 < args.Length:
                    options = options with { Steps = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--batch" when i + 1 < args.Length:
                    options = options with { Batch = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--resolution" when i + 1 < args.Length:
                    options = options with { Resolution = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--networks" when i + 1 < args.Length:
                    options = options with { Networks = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (child is not null)
        {
            return MemoryBenchmark.RunChild(child, childModel, options);
        }

        if (sections.Count == 0)
        {
            sections.AddRange(new[] { "speed", "memory", "generator", "build", "onednn", "blocks" });
        }

        Machine.Print();
        foreach (var section in sections.Distinct())
        {
            switch (section)
            {
                case "speed":
                    SpeedBenchmark.Run(options);
                    break;
                case "memory":
                    MemoryBenchmark.Run(options);
                    break;
                case "generator":
                    GeneratorBenchmark.Run();
                    break;
                case "build":
                    BuildBenchmark.Run();
                    break;
                case "onednn":
                    OneDnnBenchmark.Run(options);
                    break;
                case "blocks":
                    BlockClassBenchmark.Run(options);
                    break;
            }
        }

        return 0;
    }
}

/// <summary>What the command line chose.</summary>
public sealed record BenchOptions(int Repetitions = 7, int Steps = 300, int Batch = 8, IReadOnlyList<string>? Networks = null, int? Resolution = null);
