using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Examples.Training;
using NetGen.Generated;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// The generated networks compute what torchvision computes: same deterministic weights, same input,
/// same outputs (fixtures made by tests/reference/make_equivalence.py with torchvision 0.14.1), within
/// <see cref="EquivalenceReference.Tolerance"/>. A wrong stride, padding, ceil mode, epsilon or
/// activation in a DSL file changes these outputs and fails here; the mutation tests below prove it.
/// </summary>
public class EquivalenceTests
{
    private readonly ITestOutputHelper _output;

    public EquivalenceTests(ITestOutputHelper output) => _output = output;

    private static JsonElement Fixture(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", file))).RootElement;

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static IEnumerable<object[]> Networks() =>
        EquivalenceReference.Networks.EnumerateObject().Select(n => new object[] { n.Name });

    public static IEnumerable<object[]> Mutations() =>
        EquivalenceReference.Mutations.EnumerateObject().Select(n => new object[] { n.Name });

    /// <summary>
    /// Mistakes a DSL author could make in a zoo file: the text to find and its replacement. Each changes
    /// the outputs by less than the old check (1e-3 · (1 + |y|)) noticed, or by more; the check must reject all.
    /// </summary>
    public static TheoryData<string, string, string, string> DslMutations => new()
    {
        { "googlenet.net.txt", "GoogLeNetNoAux", "batchnorm(eps=0.001)", "batchnorm" },
        { "googlenet.net.txt", "GoogLeNetNoAux", ", ceil=true)", ")" },
        { "efficientnet.net.txt", "EfficientNetB0", "let bn_eps = 1e-5", "let bn_eps = 1e-3" },
        { "inception.net.txt", "InceptionV3NoAux", "eps=0.001", "eps=0.0001" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Eval_outputs_equal_torchvisions_for_the_same_weights_and_input(string name)
    {
        var reference = EquivalenceReference.Parse(EquivalenceReference.Networks.GetProperty(name));
        using var scope = NewDisposeScope();
        using var network = Create(name);
        var difference = reference.MaxDifference(Output(network, reference, ScalarType.Float32));
        _output.WriteLine($"{name}: max |d| {difference:G3}, tolerance {reference.Tolerance:G3}, torch's own float32 error {reference.Float32Error:G3}");
        Assert.True(difference <= reference.Tolerance, $"{name}: max |d| = {difference:G3} > tolerance {reference.Tolerance:G3}");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_reference_moves_far_beyond_the_tolerance_for_another_input(string name)
    {
        // A network that ignored its input (or only passed the last biases through) could not pass.
        var reference = EquivalenceReference.Parse(EquivalenceReference.Networks.GetProperty(name));
        Assert.True(reference.InputSensitivity > 100 * reference.Tolerance, $"{name}: another input moves the output by {reference.InputSensitivity:G3}, tolerance {reference.Tolerance:G3}");
        Assert.True(reference.Float32Error > 0, $"{name}: no float32 error recorded: the reference was not computed in float64");
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    public void The_check_rejects_a_network_that_differs_from_the_reference_in_one_activation(string mutation)
    {
        var entry = EquivalenceReference.Mutations.GetProperty(mutation);
        var reference = EquivalenceReference.Parse(entry);
        using var scope = NewDisposeScope();
        using var network = Create(entry.GetProperty("network").GetString()!);
        var difference = Report(mutation, reference, Output(network, reference, ScalarType.Float32));
        Assert.True(difference > reference.Tolerance, $"{mutation}: max |d| {difference:G3} within tolerance {reference.Tolerance:G3}");
    }

    [Fact]
    public void Hardsigmoid_gates_compute_what_torchvisions_hardsigmoid_gates_compute()
    {
        // The counterpart of the mutation above: EfficientNet-B0 written with 'hardsigmoid' in its gates
        // matches torchvision's EfficientNet-B0 whose gates were given nn.Hardsigmoid.
        var reference = EquivalenceReference.Parse(EquivalenceReference.Mutations.GetProperty("EfficientNetB0 with hardsigmoid gates"));
        using var scope = NewDisposeScope();
        using var network = EditedZooNetwork("efficientnet.net.txt", "EfficientNetB0", "scale_activation: sigmoid", "scale_activation: hardsigmoid");
        var difference = reference.MaxDifference(Output(network, reference, ScalarType.Float32));
        Assert.True(difference <= reference.Tolerance, $"max |d| = {difference:G3} > tolerance {reference.Tolerance:G3}");
    }

    [Theory]
    [MemberData(nameof(DslMutations))]
    public void The_check_rejects_a_zoo_file_with_one_mistake(string file, string network, string find, string replace)
    {
        var reference = EquivalenceReference.Parse(EquivalenceReference.Networks.GetProperty(network));
        using var scope = NewDisposeScope();
        using var mutated = EditedZooNetwork(file, network, find, replace);
        var difference = Report($"{network} with '{find}' -> '{replace}'", reference, Output(mutated, reference, ScalarType.Float32));
        Assert.True(difference > reference.Tolerance, $"'{find}' -> '{replace}': max |d| {difference:G3} within tolerance {reference.Tolerance:G3}");
    }

    [Fact]
    public void The_check_rejects_tensorflows_batchnorm_epsilon_on_small_logits()
    {
        // TinyResNet from PyTorch (tiny.pt) has logits below 0.2: eps 1e-3 (Keras' default) instead of
        // PyTorch's 1e-5 moves them by less than 1e-3 · (1 + |y|), which the old check accepted.
        var reference = EquivalenceReference.Parse(Fixture("tiny.json"));
        using var scope = NewDisposeScope();
        using var mutated = EditedZooNetwork("tiny.net.txt", "TinyResNet", "batchnorm", "batchnorm(eps=0.001)");
        mutated.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny.pt"));
        mutated.eval();
        using var noGrad = no_grad();
        var difference = Report("TinyResNet with eps 1e-3", reference, mutated.call(reference.Input()));
        Assert.True(difference > reference.Tolerance, $"max |d| {difference:G3} within tolerance {reference.Tolerance:G3}");
    }

    [Fact]
    public void A_train_mode_step_updates_batchnorm_statistics_and_gradients_as_pytorch_does()
    {
        var fixture = Fixture("train_step.json");
        using var scope = NewDisposeScope();
        using var network = new NetGen.Examples.ResNet18();
        DeterministicWeights.Fill(network);
        network.train();
        var input = DeterministicWeights.Input("train input", new long[] { 2, 3, 64, 64 });
        var loss = nn.functional.cross_entropy(network.call(input), tensor(new long[] { 3, 7 }));
        loss.backward();

        Assert.Equal(fixture.GetProperty("loss").GetDouble(), loss.item<float>(), 3);
        var state = network.state_dict();
        foreach (var buffer in fixture.GetProperty("buffers").EnumerateObject())
        {
            AssertCloseToScale(Floats(buffer.Value), state[buffer.Name], $"buffer {buffer.Name}");
        }

        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var gradient in fixture.GetProperty("gradients").EnumerateObject())
        {
            AssertCloseToScale(Floats(gradient.Value), parameters[gradient.Name].grad!, $"grad {gradient.Name}");
        }
    }

    public static IEnumerable<object[]> TrainStepNetworks() =>
        Fixture("train_step.json").GetProperty("networks").EnumerateObject().Select(n => new object[] { n.Name });

    [Theory]
    [MemberData(nameof(TrainStepNetworks))]
    public void A_train_mode_step_in_double_precision_gives_pytorchs_loss_batchnorm_statistics_and_gradients(string name)
    {
        using var scope = NewDisposeScope();
        using var network = Create(name);
        foreach (var (what, difference, tolerance) in TrainStepDifferences(name, network))
        {
            _output.WriteLine($"{name} {what}: max |d| {difference:G3}, tolerance {tolerance:G3}");
            Assert.True(difference <= tolerance, $"{name} {what}: max |d| {difference:G3} > tolerance {tolerance:G3}");
        }
    }

    [Fact]
    public void The_train_step_check_rejects_a_batchnorm_momentum_that_the_eval_check_cannot_see()
    {
        // MNASNet's BatchNorm momentum (1 - 0.9997) changes only the running statistics that training updates.
        using var scope = NewDisposeScope();
        using var mutated = EditedZooNetwork("mnasnet.net.txt", "MNASNet1_0", "let momentum = 1 - 0.9997", "let momentum = 0.1");
        var rejected = TrainStepDifferences("MNASNet1_0", mutated).Where(c => c.Difference > c.Tolerance).ToList();
        _output.WriteLine(string.Join("\n", rejected.Select(c => $"{c.What}: max |d| {c.Difference:G3} = {c.Difference / c.Tolerance:F0}x the tolerance")));
        Assert.NotEmpty(rejected);
    }

    [Fact]
    public void A_state_dict_saved_by_torch_save_loads_strictly_and_reproduces_pytorchs_output()
    {
        var reference = EquivalenceReference.Parse(Fixture("tiny.json"));
        using var scope = NewDisposeScope();
        using var network = new NetGen.Examples.TinyResNet();
        network.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny.pt"));
        network.eval();
        using var noGrad = no_grad();
        var difference = reference.MaxDifference(network.call(reference.Input()));
        Assert.True(difference <= reference.Tolerance, $"TinyResNet: max |d| = {difference:G3} > tolerance {reference.Tolerance:G3}");
        Assert.True(reference.InputSensitivity > 100 * reference.Tolerance);
    }

    /// <summary>
    /// One train-mode forward and backward of <paramref name="network"/> as train_step.json's entry for
    /// <paramref name="name"/> describes it; each compared tensor's max |d| from the reference and its tolerance.
    /// Dropout and stochastic depth are off on both sides (their random numbers differ). In float64, as the
    /// reference: in float32 libtorch 2.10's convolution backward differs from torch 1.13's by up to 1e-2 of a
    /// first layer's gradient (MNASNet, SqueezeNet), which would hide real differences.
    /// </summary>
    private static List<(string What, double Difference, double Tolerance)> TrainStepDifferences(string name, nn.Module<Tensor, Tensor> network)
    {
        var entry = Fixture("train_step.json").GetProperty("networks").GetProperty(name);
        DeterministicWeights.Fill(network, EquivalenceReference.DampedKeys(entry));
        network.to(ScalarType.Float64);
        TrainWithoutRandomness(network);
        var input = DeterministicWeights.Input(entry.GetProperty("input_name").GetString()!, Longs(entry.GetProperty("input_shape")));
        var loss = nn.functional.cross_entropy(network.call(input.to(ScalarType.Float64)), tensor(Longs(entry.GetProperty("targets"))));
        loss.backward();

        var state = network.state_dict();
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var relative = entry.GetProperty("tolerance").GetDouble();
        var result = new List<(string, double, double)>();
        foreach (var check in entry.GetProperty("checks").EnumerateArray())
        {
            var what = check.GetProperty("what").GetString()!;
            var key = check.GetProperty("key").GetString();
            var actual = what switch
            {
                "loss" => loss,
                "buffer" => state[key!],
                "gradient" => parameters[key!].grad!,
                _ => throw new InvalidDataException($"train_step.json: unknown check '{what}'"),
            };
            var expected = check.GetProperty("reference").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var values = actual.detach().cpu().flatten().to(ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(expected.Length, values.Length);
            var difference = values.Zip(expected, (a, b) => double.IsNaN(a) ? double.NaN : Math.Abs(a - b)).Max();
            result.Add(($"{what} {key}".TrimEnd(), difference, (relative * expected.Max(Math.Abs)) + 1e-12));
        }

        return result;
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    /// <summary>Training mode with dropout and stochastic depth in evaluation: only what is deterministic trains.</summary>
    private static void TrainWithoutRandomness(nn.Module network)
    {
        network.train();
        foreach (var module in network.modules())
        {
            if (module is TorchSharp.Modules.Dropout or NetGen.StochasticDepth)
            {
                module.eval();
            }
        }
    }

    private static nn.Module<Tensor, Tensor> Create(string name) => NetworkCatalog.All.Single(n => n.Name == name).Create();

    /// <summary>A zoo network built from its file with one text edit, compiled at run time as the generator would.</summary>
    private static nn.Module<Tensor, Tensor> EditedZooNetwork(string file, string network, string find, string replace)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Networks", file));
        Assert.Contains(find, text, StringComparison.Ordinal);
        return DslFile.Create(file, text.Replace(find, replace, StringComparison.Ordinal), network);
    }

    /// <summary>Writes how far <paramref name="output"/> is from the reference, and what the old check said; returns max |d|.</summary>
    private double Report(string what, EquivalenceReference reference, Tensor output)
    {
        var difference = reference.MaxDifference(output);
        _output.WriteLine($"{what}: max |d| {difference:G3} = {difference / reference.Tolerance:F1}x the tolerance; the old check {(reference.OldCheckAccepts(output) ? "accepted" : "rejected")} it");
        return difference;
    }

    /// <summary>Fills the network's deterministic weights and runs it, in <paramref name="type"/>, on the reference's input.</summary>
    private static Tensor Output(nn.Module<Tensor, Tensor> network, EquivalenceReference reference, ScalarType type)
    {
        network.to(type);
        DeterministicWeights.Fill(network, reference.Damped);
        network.eval();
        using var noGrad = no_grad();
        return network.call(reference.Input(type));
    }

    /// <summary>|actual - expected| ≤ 1e-3 · max |expected| + 1e-7 elementwise: statistics and gradients of one step.</summary>
    private static void AssertCloseToScale(float[] expected, Tensor actual, string what)
    {
        var values = actual.detach().cpu().flatten().to(ScalarType.Float32).data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - expected[i]) <= (1e-3 * scale) + 1e-7, $"{what}[{i}]: {values[i]} vs PyTorch {expected[i]}");
        }
    }
}
