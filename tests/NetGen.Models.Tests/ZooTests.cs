using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generated;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Tests parametrized over every generated network (NetGen.Generated.NetworkCatalog), so a new DSL
/// file in the zoo is tested without a new test.
/// </summary>
public class ZooTests
{
    /// <summary>Inputs of this side are enough for every zoo network and keep 2 cores fast.</summary>
    private const int ReducedResolution = 64;

    public static IEnumerable<object[]> Networks() => NetworkCatalog.All.Select(n => new object[] { n.Name });

    private static NetworkInfo Info(string name) => NetworkCatalog.All.Single(n => n.Name == name);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Parameter_count_on_an_instance_equals_the_compile_time_constant_and_torchvision(string name)
    {
        var info = Info(name);
        using var network = info.Create();
        Assert.Equal(info.ParameterCount, network.ParameterCount());
        if (ReferenceData.TryGet(name, out var reference))
        {
            Assert.Equal(reference.Parameters, info.ParameterCount);
            Assert.Equal(reference.Macs, info.MultiplyAccumulates);
            Assert.Equal(reference.OutputShape, info.OutputShape);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void State_dict_keys_and_shapes_are_torchvisions(string name)
    {
        if (!ReferenceData.TryGet(name, out var reference))
        {
            return;
        }

        using var network = Info(name).Create();
        var actual = network.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(reference.StateDictEntries, actual.Count);
        foreach (var (key, shape) in reference.StateDict)
        {
            Assert.True(actual.TryGetValue(key, out var ours), $"missing key {key}");
            Assert.Equal(shape, ours);
        }
    }

    [Fact]
    public void Every_torchvision_reference_has_a_network()
    {
        var names = NetworkCatalog.All.Select(n => n.Name).ToHashSet();
        Assert.All(ReferenceData.Names, n => Assert.Contains(n, names));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_gives_the_inferred_output_shape(string name)
    {
        var info = Info(name);
        using var scope = NewDisposeScope();
        using var network = info.Create();
        network.eval();
        using var _ = no_grad();
        var output = network.call(randn(Input(info, batch: 2)));
        Assert.Equal(new[] { 2L }.Concat(info.OutputShape).ToArray(), output.shape);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void One_sgd_step_runs_with_a_finite_changing_loss(string name)
    {
        var info = Info(name);
        torch.manual_seed(1);
        using var scope = NewDisposeScope();
        using var network = info.Create();
        network.train();
        var input = randn(Input(info, batch: 2));
        var target = tensor(new long[] { 1, 3 });
        var optimizer = optim.SGD(network.parameters(), learningRate: 0.01);

        var before = nn.functional.cross_entropy(network.call(input), target);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        var after = nn.functional.cross_entropy(network.call(input), target);

        var first = before.item<float>();
        var second = after.item<float>();
        Assert.True(float.IsFinite(first) && float.IsFinite(second), $"loss {first} -> {second}");
        Assert.NotEqual(first, second);
    }

    private static long[] Input(NetworkInfo info, int batch)
    {
        var shape = info.InputShape;
        return shape.Length == 3
            ? new long[] { batch, shape[0], Math.Min(shape[1], ReducedResolution), Math.Min(shape[2], ReducedResolution) }
            : new long[] { batch, shape[0] };
    }
}
