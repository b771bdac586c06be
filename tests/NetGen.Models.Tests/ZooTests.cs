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
    /// <summary>Inputs of this side are enough for every zoo network's forward and keep 2 cores fast.</summary>
    private const int ReducedResolution = 96;

    /// <summary>Networks up to this many MACs run at their native resolution.</summary>
    private const long CheapMacs = 3_000_000_000;

    /// <summary>Networks larger than this are checked by their counts only (instances take gigabytes).</summary>
    private const long Huge = 300_000_000;

    public static IEnumerable<object[]> Networks() => NetworkCatalog.All.Select(n => new object[] { n.Name });

    public static IEnumerable<object[]> RunnableNetworks() =>
        NetworkCatalog.All.Where(n => n.ParameterCount <= Huge).Select(n => new object[] { n.Name });

    private static NetworkInfo Info(string name) => NetworkCatalog.All.Single(n => n.Name == name);

    /// <summary>
    /// The compile-time figures against torchvision's. An instance of every network, the huge ones too, is counted
    /// and its keys and shapes compared with torchvision's in <see cref="CompositionTests"/>, which builds each once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void Compile_time_parameter_count_macs_and_output_shape_are_torchvisions(string name)
    {
        var info = Info(name);
        if (ReferenceData.TryGetParameters(name, out var parameters))
        {
            Assert.Equal(parameters, info.ParameterCount);
        }

        if (ReferenceData.TryGet(name, out var reference))
        {
            Assert.Equal(reference.Macs, info.MultiplyAccumulates);
            Assert.Equal(reference.OutputShape, info.OutputShape);
        }
    }

    [Fact]
    public void Every_torchvision_reference_has_a_network()
    {
        var names = NetworkCatalog.All.Select(n => n.Name).ToHashSet();
        Assert.All(ReferenceData.Names, n => Assert.Contains(n, names));
    }

    [Theory]
    [MemberData(nameof(RunnableNetworks))]
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
    [MemberData(nameof(RunnableNetworks))]
    public void One_sgd_step_runs_with_a_finite_changing_loss(string name)
    {
        var info = Info(name);
        torch.manual_seed(1);
        using var scope = NewDisposeScope();
        using var network = info.Create();
        var (first, second) = NetGen.Examples.PlatformCheck.Canary.SgdStep(network, randn(Input(info, batch: 2)), tensor(new long[] { 1, 3 }));
        Assert.True(float.IsFinite(first) && float.IsFinite(second), $"loss {first} -> {second}");
        Assert.NotEqual(first, second);
    }

    /// <summary>
    /// The native input for cheap networks (some, like BN-Inception's fixed 7x7 pool, need it);
    /// a reduced one for the rest, enough for every other network's forward.
    /// </summary>
    private static long[] Input(NetworkInfo info, int batch)
    {
        var shape = info.InputShape;
        if (shape.Length != 3)
        {
            return new long[] { batch, shape[0] };
        }

        var side = info.MultiplyAccumulates <= CheapMacs ? shape[1] : Math.Min(shape[1], ReducedResolution);
        return new long[] { batch, shape[0], side, side };
    }

    [Theory]
    [MemberData(nameof(RunnableNetworks))]
    public void Normalization_layers_start_as_the_identity(string name)
    {
        using var network = Info(name).Create();
        foreach (var (key, parameter) in network.named_parameters())
        {
            var isNorm = key.Contains("bn") || key.Contains("norm") || key.Contains("gn");
            if (isNorm && parameter.dim() == 1 && key.EndsWith(".weight", StringComparison.Ordinal))
            {
                Assert.True(parameter.eq(1).all().item<bool>(), $"{key} is not all ones");
            }
            else if (isNorm && key.EndsWith(".bias", StringComparison.Ordinal))
            {
                Assert.True(parameter.eq(0).all().item<bool>(), $"{key} is not all zeros");
            }
        }
    }

    [Fact]
    public void Auxiliary_heads_are_returned_by_ForwardWithAuxiliary_and_skipped_by_forward()
    {
        using var scope = NewDisposeScope();
        using var network = new NetGen.Examples.GoogLeNet(numClasses: 10);
        network.train();
        var input = randn(2, 3, 96, 96);
        var outputs = network.ForwardWithAuxiliary(input);
        Assert.Equal(new long[] { 2, 10 }, outputs.Logits.shape);
        Assert.Equal(new long[] { 2, 10 }, outputs.Aux1.shape);
        Assert.Equal(new long[] { 2, 10 }, outputs.Aux2.shape);

        // The auxiliary losses reach the shared layers: their gradients flow back through inception4a.
        var target = tensor(new long[] { 1, 2 });
        var loss = nn.functional.cross_entropy(outputs.Logits, target)
            + (0.3 * nn.functional.cross_entropy(outputs.Aux1, target))
            + (0.3 * nn.functional.cross_entropy(outputs.Aux2, target));
        loss.backward();
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));

        network.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 2, 10 }, network.call(input).shape);
    }
}
