using System;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Examples.PlatformCheck;

/// <summary>
/// The operations libtorch 2.10's oneDNN gets wrong on AMD Zen 5 (README, "Known platform issues"),
/// each a self-checking computation: a convolution against the same convolution in float64 (which
/// oneDNN never runs), and one SGD step of the generated ResNet50. Each runs in a process of its own,
/// since the fault is a SIGFPE that ends the process.
/// </summary>
public static class Canary
{
    /// <summary>The canary names, in the order they are run.</summary>
    public static readonly string[] Names = { "conv1x1", "conv3x3", "resnet50-step" };

    /// <summary>The result line a canary prints: <c>CANARY name ok|wrong detail</c>.</summary>
    public const string Prefix = "CANARY ";

    /// <summary>Runs one canary in this process; returns whether its result is right, and what was measured.</summary>
    public static (bool Ok, string Detail) Run(string name)
    {
        // The guard's decision (NETGEN_ONEDNN or the processor) applies before the first operation.
        NetGen.Platform.EnsureConfigured();
        torch.manual_seed(5);
        using var scope = NewDisposeScope();
        return name switch
        {
            // The 1x1 convolution that raised SIGFPE on Zen 5 (an Inception-v3 shape).
            "conv1x1" => Convolution(nn.Conv2d(1536, 32, 1), rand(1, 1536, 1, 32) * 2 - 1),
            // A 3x3 convolution whose oneDNN result was off by 0.4-0.8 (NaN once) on Zen 5.
            "conv3x3" => Convolution(nn.Conv2d(24, 24, 3, padding: 1), rand(2, 24, 56, 56) * 2 - 1),
            "resnet50-step" => ResNet50Step(),
            _ => throw new ArgumentException($"no canary '{name}'; canaries: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>float32 against float64 with the same weights: max |d| ≤ 1e-4 · (1 + max |reference|).</summary>
    private static (bool, string) Convolution(nn.Module<Tensor, Tensor> convolution, Tensor input)
    {
        using var noGrad = no_grad();
        var single = convolution.call(input);
        convolution.to(ScalarType.Float64);
        var reference = convolution.call(input.to(ScalarType.Float64));
        var error = (single.to(ScalarType.Float64) - reference).abs().max().item<double>();
        var scale = reference.abs().max().item<double>();
        var ok = double.IsFinite(error) && error <= 1e-4 * (1 + scale);
        return (ok, Invariant($"max |float32 - float64| = {error:G3} (max |y| {scale:G3})"));
    }

    /// <summary>One SGD step at batch 4: both losses finite, and the step changes the loss.</summary>
    private static (bool, string) ResNet50Step()
    {
        using var network = new ResNet50();
        var (first, second) = SgdStep(network, randn(4, 3, 224, 224), tensor(new long[] { 1, 3, 5, 7 }));
        var ok = float.IsFinite(first) && float.IsFinite(second) && first != second;
        return (ok, Invariant($"loss {first:F4} -> {second:F4}"));
    }

    /// <summary>The cross-entropy loss before and after one SGD step (learning rate 0.01) in training mode.</summary>
    public static (float Before, float After) SgdStep(nn.Module<Tensor, Tensor> network, Tensor input, Tensor target)
    {
        using var scope = NewDisposeScope();
        network.train();
        using var optimizer = optim.SGD(network.parameters(), learningRate: 0.01);
        var before = nn.functional.cross_entropy(network.call(input), target);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        var after = nn.functional.cross_entropy(network.call(input), target);
        return (before.item<float>(), after.item<float>());
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
