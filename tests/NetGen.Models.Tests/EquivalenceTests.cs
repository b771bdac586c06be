using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// The generated networks compute what torchvision computes: same deterministic weights, same input,
/// same outputs (fixtures made by tests/reference/make_equivalence.py with torchvision 0.14.1). A wrong
/// stride, padding, ceil mode or epsilon in a DSL file changes these outputs and fails here.
/// </summary>
public class EquivalenceTests
{
    private static JsonElement Fixture(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", file))).RootElement;

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public static IEnumerable<object[]> Networks() =>
        Fixture("equivalence.json").GetProperty("networks").EnumerateObject().Select(n => new object[] { n.Name });

    /// <summary>|actual - expected| ≤ 1e-3 · (1 + |expected|): logits of order 1, float32 on two libtorch versions.</summary>
    private static void AssertClose(float[] expected, Tensor actual, string what)
    {
        var values = actual.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = 1e-3 * (1 + Math.Abs(expected[i]));
            Assert.True(Math.Abs(values[i] - expected[i]) <= tolerance, $"{what}[{i}]: {values[i]} vs torchvision {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Eval_outputs_equal_torchvisions_for_the_same_weights_and_input(string name)
    {
        var fixture = Fixture("equivalence.json").GetProperty("networks").GetProperty(name);
        using var scope = NewDisposeScope();
        using var network = NetworkCatalog.All.Single(n => n.Name == name).Create();
        DeterministicWeights.Fill(network);
        network.eval();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(fixture.GetProperty("input_name").GetString()!, Longs(fixture.GetProperty("input_shape")));
        AssertClose(Floats(fixture.GetProperty("output")), network.call(input), name);
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
            AssertClose(Floats(buffer.Value), state[buffer.Name], buffer.Name);
        }

        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var gradient in fixture.GetProperty("gradients").EnumerateObject())
        {
            var expected = Floats(gradient.Value);
            var actual = parameters[gradient.Name].grad!.flatten().data<float>().ToArray();
            var scale = expected.Max(Math.Abs);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= (1e-3 * scale) + 1e-7, $"grad {gradient.Name}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
            }
        }
    }

    [Fact]
    public void A_state_dict_saved_by_torch_save_loads_strictly_and_reproduces_pytorchs_output()
    {
        var fixture = Fixture("tiny.json");
        using var scope = NewDisposeScope();
        using var network = new NetGen.Examples.TinyResNet();
        network.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny.pt"));
        network.eval();
        using var noGrad = no_grad();
        var input = DeterministicWeights.Input(fixture.GetProperty("input_name").GetString()!, Longs(fixture.GetProperty("input_shape")));
        AssertClose(Floats(fixture.GetProperty("output")), network.call(input), "TinyResNet");
    }
}
