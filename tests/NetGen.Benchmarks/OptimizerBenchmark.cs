using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Examples;
using TorchSharp;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Benchmarks;

/// <summary>
/// NetGen's <see cref="FlatSgd"/> against TorchSharp's per-parameter SGD on two copies of a generated network with the
/// same weights: the optimizer alone (zero_grad and step) and a whole training step, alternating, and the two copies'
/// weights compared after every timed step has run on both.
/// </summary>
public static class OptimizerBenchmark
{
    private static readonly string[] Default = { "ResNet50", "EfficientNetB0" };

    private static readonly Dictionary<string, Func<Net>> Networks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ResNet50"] = () => new ResNet50(),
        ["EfficientNetB0"] = () => new EfficientNetB0(),
        ["DenseNet121"] = () => new DenseNet121(),
    };

    public static void Run(BenchOptions options)
    {
        var names = options.Networks?.Where(Networks.ContainsKey).ToArray() is { Length: > 0 } chosen ? chosen : Default;
        var resolution = options.Resolution ?? 224;
        Console.WriteLine($"## Optimizer: FlatSgd against TorchSharp's SGD (momentum 0.9, weight decay 1e-4; batch {options.Batch}, {resolution}x{resolution}, {options.Repetitions} timed repetitions each, median ms)");
        Console.WriteLine();
        Console.WriteLine("| Network | Parameter tensors | Measure | SGD | FlatSgd | Ratio FlatSgd / SGD (paired median, IQR) | Spread (SGD / flat) |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
        var agreement = new List<string>();
        foreach (var name in names)
        {
            torch.manual_seed(1);
            using var perParameter = Networks[name]();
            using var flat = Networks[name]();
            flat.load_state_dict(perParameter.state_dict(), strict: true);
            perParameter.train();
            flat.train();
            using var input = torch.randn(options.Batch, 3, resolution, resolution);
            using var target = torch.randint(0, 1000, options.Batch, ScalarType.Int64);
            using var sgd = torch.optim.SGD(perParameter.parameters(), 0.001, momentum: 0.9, weight_decay: 1e-4);
            using var flatSgd = new FlatSgd(flat.parameters(), 0.001, momentum: 0.9, weight_decay: 1e-4);
            var tensors = perParameter.parameters().Count();

            // Dropout and stochastic depth draw the same masks for both copies: each copy's k-th step reseeds with k.
            var (perParameterSteps, flatSteps) = (0, 0);
            void SeededTrainStep(Net network, optim.Optimizer optimizer, int step)
            {
                torch.manual_seed(step);
                SpeedBenchmark.TrainStep(network, optimizer, input, target);
            }

            Row(name, tensors, "train step", SpeedBenchmark.Measure(
                options.Repetitions,
                () => SeededTrainStep(perParameter, sgd, ++perParameterSteps),
                () => SeededTrainStep(flat, flatSgd, ++flatSteps)));

            // The gradients of the last step stay; both optimizers step on them alike.
            Row(name, tensors, "zero_grad and step", SpeedBenchmark.Measure(
                options.Repetitions * 5,
                () => OptimizerStep(sgd),
                () => OptimizerStep(flatSgd)));
            agreement.Add($"{name} {LargestDifference(perParameter, flat):G2}");
        }

        Console.WriteLine();
        Console.WriteLine($"Largest weight difference between the two copies after every timed step: {string.Join(", ", agreement)}.");
        Console.WriteLine();
    }

    private static void OptimizerStep(optim.Optimizer optimizer)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        optimizer.step();
    }

    private static double LargestDifference(Net expected, Net actual)
    {
        using var scope = torch.NewDisposeScope();
        var others = actual.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return expected.named_parameters().Max(p => (p.parameter - others[p.name]).abs().max().item<float>());
    }

    private static void Row(string name, int tensors, string measure, (List<double> Sgd, List<double> Flat) times)
    {
        var paired = times.Flat.Zip(times.Sgd, (flat, sgd) => flat / sgd).OrderBy(r => r).ToList();
        var (low, high) = Statistics.Quartiles(paired);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {tensors} | {measure} | {Statistics.Median(times.Sgd):F2} | {Statistics.Median(times.Flat):F2} | {Statistics.Median(paired):F3} ({low:F3}–{high:F3}) | ±{Statistics.RelativeSpread(times.Sgd):P1} / ±{Statistics.RelativeSpread(times.Flat):P1} |"));
    }
}
