using System.Collections.Generic;
using System.Linq;
using NetGen.Examples.Training;
using NetGen.Generator.Binding;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Every built-in layer, through its descriptor's example: the generated module runs forward and
/// backward, its live parameter count equals the compile-time one, and its output has the inferred shape.
/// </summary>
public class LayerCatalogTests
{
    public static IEnumerable<object[]> Layers() => LayerCatalog.All.Select(s => new object[] { s.Name });

    [Theory]
    [MemberData(nameof(Layers))]
    public void Each_layer_runs_and_its_counts_and_shape_are_the_compile_time_ones(string name)
    {
        Assert.True(LayerCatalog.TryGet(name, out var spec));
        var compiled = NetGen.Generator.NetGenCompiler.Compile(new NetGen.Generator.NetFile("/p/layer.net.txt", spec.ExampleNetwork("L_" + name), "App"));
        Assert.Empty(compiled.Diagnostics);
        var model = Assert.Single(compiled.Networks);

        using var scope = NewDisposeScope();
        using var network = DslFile.Create("layer.net.txt", spec.ExampleNetwork("L_" + name), "L_" + name);
        Assert.Equal(model.ParameterCount, network.parameters().Sum(p => p.numel()));

        network.train();
        var input = randn(new long[] { 2 }.Concat(model.Input.Sizes).ToArray()).requires_grad_();
        var output = network.call(input);
        Assert.Equal(new long[] { 2 }.Concat(model.Output.Sizes).ToArray(), output.shape);
        output.square().sum().backward();
        Assert.NotNull(input.grad);
        Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
    }
}
