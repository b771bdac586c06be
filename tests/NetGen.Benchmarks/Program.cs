using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using NetGen.CommandLineSupport;

namespace NetGen.Benchmarks;

/// <summary>
/// The benchmark command: <c>dotnet run -c Release --project tests/NetGen.Benchmarks -- [sections] [options]</c>.
/// Every section prints Markdown tables (docs/benchmarks.md quotes them). The command line is System.CommandLine's:
/// <c>--help</c> lists sections and options, a misspelt one gets a suggestion and exit code 2.
/// </summary>
public static class Program
{
    private static readonly string[] Sections = { "speed", "memory", "generator", "build", "onednn", "blocks", "optimizer" };

    public static int Main(string[] args)
    {
        var sections = new Argument<string[]>("sections")
        {
            Description = "Sections to run, in order (none: all seven).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        sections.AcceptOnlyFromAmong(Sections);
        var reps = Positive(new Option<int>("--reps") { Description = "Timed repetitions per model and mode (speed, onednn, blocks, optimizer; five times as many for the optimizer alone).", DefaultValueFactory = _ => 7 });
        var steps = Positive(new Option<int>("--steps") { Description = "memory: training steps of ResNet18 after warm-up.", DefaultValueFactory = _ => 300 });
        var batch = Positive(new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 });
        var resolution = Positive(new Option<int?>("--resolution")
        {
            Description = "speed, optimizer: input height and width instead of each network's own (at least 75 for Inception v3); with --batch 1 "
                + "and a small value the compute shrinks and what is left is the cost of the C# around it.",
        });
        var networks = new Option<string[]>("--networks")
        {
            Description = "speed: a subset of ResNet50, VGG16, GoogLeNet, InceptionV3, ResNeXt50_32x4d; blocks: of ResNet50, DenseNet121, "
                + "RegNetY_1_6GF, EfficientNetB0; optimizer: of ResNet50, EfficientNetB0, DenseNet121 (comma-separated).",
            CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
        };

        // The memory section runs each measurement in a fresh process of this program: --child growth | peak MODEL.
        var child = new Option<string[]>("--child") { Hidden = true, Arity = new ArgumentArity(1, 2), AllowMultipleArgumentsPerToken = true };

        var root = new RootCommand("NetGen's benchmarks: generated networks against TorchSharp's TorchVision models on the same libtorch, "
            + "native memory, and the generator's and the build's own cost. Prints Markdown tables.")
        {
            sections, reps, steps, batch, resolution, networks, child,
        };
        root.SetAction(result =>
        {
            var options = new BenchOptions(result.GetValue(reps), result.GetValue(steps), result.GetValue(batch), result.GetValue(networks), result.GetValue(resolution));
            if (result.GetValue(child) is { Length: > 0 } role)
            {
                return MemoryBenchmark.RunChild(role[0], role.Length > 1 ? role[1] : null, options);
            }

            var chosen = result.GetValue(sections) is { Length: > 0 } named ? named.Distinct() : Sections;
            Machine.Print();
            foreach (var section in chosen)
            {
                Run(section, options);
            }

            return 0;
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine(UsageErrors.Describe(parsed, "NetGen.Benchmarks"));
            return 2;
        }

        return parsed.Invoke();
    }

    private static void Run(string section, BenchOptions options)
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
            case "optimizer":
                OptimizerBenchmark.Run(options);
                break;
        }
    }

    private static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<T>() is int value && value <= 0)
            {
                result.AddError($"{option.Name} must be a positive integer, not {value}");
            }
        });
        return option;
    }
}

/// <summary>What the command line chose.</summary>
public sealed record BenchOptions(int Repetitions = 7, int Steps = 300, int Batch = 8, IReadOnlyList<string>? Networks = null, int? Resolution = null);
