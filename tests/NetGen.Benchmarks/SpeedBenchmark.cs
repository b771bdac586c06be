using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Benchmarks;

/// <summary>
/// Eval forward and one SGD training step, generated against hand-written, alternating the two
/// (ABAB then BABA) so drift in the machine's speed falls on both alike.
/// </summary>
public static class SpeedBenchmark
{
    public static void Run(BenchOptions options)
    {
        var pairs = ModelPair.All.Where(p => options.Networks is null || options.Networks.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var size = options.Resolution is { } r ? $"{r}x{r}" : "each network's own input size";
        Console.WriteLine($"## Speed: generated vs TorchVision (batch {options.Batch}, {size}, {options.Repetitions} timed repetitions each, median ms)");
        Console.WriteLine();
        Console.WriteLine("| Network | Mode | Generated | TorchVision | Ratio of medians | Median of paired ratios (IQR) | Spread (gen / tv) | Same function |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var pair in pairs)
        {
            torch.manual_seed(1);
            using var generated = pair.Generated();
            using var handWritten = pair.HandWritten();
            var resolution = options.Resolution is { } chosen ? Math.Max(chosen, pair.MinimumResolution) : pair.Resolution;
            var same = SameFunction(generated, handWritten, resolution);
            using var input = torch.randn(options.Batch, 3, resolution, resolution);
            using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);

            generated.eval();
            handWritten.eval();
            Row(pair.Name, "eval forward", same, Measure(options.Repetitions, () => Forward(generated, input), () => Forward(handWritten, input)));

            generated.train();
            handWritten.train();
            using var generatedOptimizer = torch.optim.SGD(generated.parameters(), 0.001, momentum: 0.9);
            using var handWrittenOptimizer = torch.optim.SGD(handWritten.parameters(), 0.001, momentum: 0.9);
            Row(pair.Name, "train step", same, Measure(
                options.Repetitions,
                () => TrainStep(generated, generatedOptimizer, input, target),
                () => TrainStep(handWritten, handWrittenOptimizer, input, target)));
        }

        Console.WriteLine();
    }

    public static void Forward(Net model, Tensor input)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.call(input);
    }

    public static void TrainStep(Net model, optim.Optimizer optimizer, Tensor input, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(input), target);
        loss.backward();
        optimizer.step();
    }

    /// <summary>Milliseconds per call of each action: one warm-up each, then alternating pairs.</summary>
    public static (List<double> First, List<double> Second) Measure(int repetitions, Action first, Action second)
    {
        first();
        second();
        var a = new List<double>();
        var b = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            if (i % 2 == 0)
            {
                a.Add(Statistics.Milliseconds(first));
                b.Add(Statistics.Milliseconds(second));
            }
            else
            {
                b.Add(Statistics.Milliseconds(second));
                a.Add(Statistics.Milliseconds(first));
            }
        }

        return (a, b);
    }

    /// <summary>One table row: medians, their ratio, the paired ratios' median and quartiles, the spreads.</summary>
    public static void Row(string name, string mode, string same, (List<double> Generated, List<double> HandWritten) times)
    {
        var generated = Statistics.Median(times.Generated);
        var handWritten = Statistics.Median(times.HandWritten);

        // Each pair ran back to back, so its ratio is immune to slow drift of the machine's speed.
        var paired = times.Generated.Zip(times.HandWritten, (a, b) => a / b).OrderBy(r => r).ToList();
        var (low, high) = Statistics.Quartiles(paired);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {mode} | {generated:F1} | {handWritten:F1} | {generated / handWritten:F3} | {Statistics.Median(paired):F3} ({low:F3}–{high:F3}) | ±{Statistics.RelativeSpread(times.Generated):P1} / ±{Statistics.RelativeSpread(times.HandWritten):P1} | {same} |"));
    }

    /// <summary>
    /// Loads the hand-written model's weights into the generated one (strict) and compares eval outputs,
    /// so the two columns are known to time the same computation.
    /// </summary>
    private static string SameFunction(Net generated, Net handWritten, int resolution)
    {
        using var scope = torch.NewDisposeScope();
        var (missing, unexpected) = generated.load_state_dict(handWritten.state_dict(), strict: false);
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            return $"no: state_dict differs ({missing.Count} missing, {unexpected.Count} unexpected, e.g. {missing.Concat(unexpected).First()})";
        }

        generated.eval();
        handWritten.eval();
        using var noGrad = torch.no_grad();
        var input = torch.randn(2, 3, resolution, resolution);
        var difference = (generated.call(input) - handWritten.call(input)).abs().max().item<float>();
        return string.Create(CultureInfo.InvariantCulture, $"yes (same weights, largest difference {difference:G2})");
    }
}
