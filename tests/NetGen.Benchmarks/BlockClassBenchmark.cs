using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using NetGen.Generator.Emit;
using TorchSharp;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Benchmarks;

/// <summary>
/// Block classes against local factory functions: the whole zoo emitted both ways (the generator's output, and
/// the same networks with every block a factory), compiled alternately by Roslyn in this process (time and
/// assembly size), then networks whose blocks became classes built from both assemblies with the same weights,
/// checked equal, and timed alternately as the speed section times generated against hand-written.
/// </summary>
public static class BlockClassBenchmark
{
    private const int CompileRepetitions = 7;
    private const int EmitWarmUp = 20;
    private const int EmitRepetitions = 25;
    private const string RootNamespace = "NetGen.Examples";

    /// <summary>Networks whose blocks become classes: ResNet's Bottleneck, DenseNet's layers, RegNet's and EfficientNet's convolutions.</summary>
    private static readonly string[] Timed = { "ResNet50", "DenseNet121", "RegNetY_1_6GF", "EfficientNetB0" };

    public static void Run(BenchOptions options)
    {
        var networks = Directory.GetFiles(Repository.ZooFolder, "*.net.txt").OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(f => NetGenCompiler.Compile(new NetFile(f, File.ReadAllText(f), RootNamespace)).Networks)
            .ToList();
        var classes = networks.Select(n => NetworkEmitter.Emit(n, NetGenCompiler.Version)).ToList();
        var factories = networks.Select(n => NetworkEmitter.Emit(n, NetGenCompiler.Version, blockClasses: false)).ToList();
        var nested = classes.Sum(c => CountOf(c, "        public sealed class "));

        Console.WriteLine($"## Block classes against local factories: the zoo ({networks.Count} networks) emitted both ways");
        Console.WriteLine();
        var emit = new Dictionary<bool, List<double>> { [true] = new(), [false] = new() };
        for (var i = 0; i < EmitWarmUp + EmitRepetitions; i++)
        {
            foreach (var withClasses in i % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                var milliseconds = Statistics.Milliseconds(() => networks.ForEach(n => NetworkEmitter.Emit(n, NetGenCompiler.Version, withClasses)));
                if (i >= EmitWarmUp)
                {
                    emit[withClasses].Add(milliseconds);
                }
            }
        }

        Console.WriteLine($"{nested} nested block classes in all. Emit: the generator's last phase over the bound zoo, after {EmitWarmUp} warm-up runs, median of {EmitRepetitions}; compile: Roslyn emitting a Release assembly in this process, median of {CompileRepetitions}; both ways alternating.");
        Console.WriteLine();
        Console.WriteLine("| Emission | Emit (median ms) | Generated C# | Lines | Compile (median ms) | Assembly |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var compiled = new Dictionary<bool, byte[]>();
        var times = new Dictionary<bool, List<double>> { [true] = new(), [false] = new() };
        for (var i = 0; i < CompileRepetitions + 1; i++)
        {
            foreach (var withClasses in i % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                byte[]? bytes = null;
                var milliseconds = Statistics.Milliseconds(() => bytes = Compile(withClasses ? classes : factories, withClasses ? "Blocks.Classes" : "Blocks.Factories"));
                if (i > 0)
                {
                    times[withClasses].Add(milliseconds);
                }

                compiled[withClasses] = bytes!;
            }
        }

        foreach (var withClasses in new[] { true, false })
        {
            var sources = withClasses ? classes : factories;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {(withClasses ? "block classes" : "local factories")} | {Statistics.Median(emit[withClasses]):F1} | {sources.Sum(s => s.Length) / 1024.0:N0} KB | {sources.Sum(s => CountOf(s, "\n")):N0} | {Statistics.Median(times[withClasses]):F0} | {compiled[withClasses].Length / 1024.0:N0} KB |"));
        }

        Console.WriteLine();
        var withBlocks = Assembly.Load(compiled[true]);
        var withFactories = Assembly.Load(compiled[false]);
        Console.WriteLine($"### Speed (batch {options.Batch}, each network's own input size, {options.Repetitions} timed repetitions each, median ms)");
        Console.WriteLine();
        Console.WriteLine("| Network | Mode | Block classes | Factories | Ratio of medians | Median of paired ratios (IQR) | Spread (classes / factories) | Same function |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var name in Timed.Where(n => options.Networks is null || options.Networks.Contains(n, StringComparer.OrdinalIgnoreCase)))
        {
            // Which instance is built first moves eval times by a few percent either way (where libtorch puts the
            // weights), so each network runs twice, the other built first the second time.
            foreach (var classesFirst in new[] { true, false })
            {
                TimeNetwork(name, withBlocks, withFactories, networks.Single(n => n.ClassName == name).Input.Height, classesFirst, options);
            }
        }

        Console.WriteLine();
    }

    private static void TimeNetwork(string name, Assembly withBlocks, Assembly withFactories, long resolution, bool classesFirst, BenchOptions options)
    {
        torch.manual_seed(1);
        var first = Create(classesFirst ? withBlocks : withFactories, name);
        var second = Create(classesFirst ? withFactories : withBlocks, name);
        using var classes = classesFirst ? first : second;
        using var factories = classesFirst ? second : first;
        // The same weights in both (strict: every key and shape), then the same output.
        factories.load_state_dict(classes.state_dict(), strict: true);
        var label = $"{name}, {(classesFirst ? "classes" : "factories")} built first";
        using var input = torch.randn(options.Batch, 3, resolution, resolution);
        using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
        classes.eval();
        factories.eval();
        string same;
        using (torch.no_grad())
        using (var a = classes.call(input))
        using (var b = factories.call(input))
        {
            same = a.eq(b).all().item<bool>() ? "yes (outputs bitwise equal)" : $"NO (largest difference {(a - b).abs().max().item<float>():G3})";
        }

        SpeedBenchmark.Row(label, "eval forward", same, SpeedBenchmark.Measure(options.Repetitions, () => SpeedBenchmark.Forward(classes, input), () => SpeedBenchmark.Forward(factories, input)));
        classes.train();
        factories.train();
        using var classesOptimizer = torch.optim.SGD(classes.parameters(), 0.001, momentum: 0.9);
        using var factoriesOptimizer = torch.optim.SGD(factories.parameters(), 0.001, momentum: 0.9);
        SpeedBenchmark.Row(label, "train step", same, SpeedBenchmark.Measure(
            options.Repetitions,
            () => SpeedBenchmark.TrainStep(classes, classesOptimizer, input, target),
            () => SpeedBenchmark.TrainStep(factories, factoriesOptimizer, input, target)));
    }

    /// <summary>The network with its constructor's default arguments.</summary>
    private static Net Create(Assembly assembly, string name)
    {
        var constructor = assembly.GetType($"{RootNamespace}.{name}", throwOnError: true)!.GetConstructors().Single();
        return (Net)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }

    private static byte[] Compile(IEnumerable<string> sources, string assemblyName)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = Basic.Reference.Assemblies.Net100.References.All
            .Append(MetadataReference.CreateFromFile(typeof(torch).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(NetGen.Sequence).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s, parse)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        }

        return stream.ToArray();
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var index = text.IndexOf(part, StringComparison.Ordinal); index >= 0; index = text.IndexOf(part, index + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
