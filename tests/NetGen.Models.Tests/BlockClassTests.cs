using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using NetGen.Generated;
using NetGen.Generator;
using NetGen.Generator.Emit;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Block classes build what local factory functions build: the zoo emitted both ways (the generator's output, and
/// every block a factory), compiled in memory with zero warnings; each network from both assemblies has the same
/// keys in the same order and, with the same weights, the same outputs to the bit.
/// </summary>
public class BlockClassTests
{
    private const string Namespace = "Zoo";

    /// <summary>Inputs of this side are enough for every larger zoo network's forward and keep 2 cores fast.</summary>
    private const int Resolution = 96;

    /// <summary>Networks up to this many MACs run at their own input size.</summary>
    private const long CheapMacs = 3_000_000_000;

    private static readonly Lazy<(Assembly Classes, Assembly Factories)> Zoo = new(CompileZoo);

    public static IEnumerable<object[]> Networks() =>
        NetworkCatalog.All.Where(n => n.ParameterCount <= 40_000_000).Select(n => new object[] { n.Name });

    [Theory]
    [MemberData(nameof(Networks))]
    public void Block_classes_build_the_modules_and_outputs_the_factories_build(string name)
    {
        var (classes, factories) = Zoo.Value;
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var withClasses = Create(classes, name);
        using var withFactories = Create(factories, name);
        Assert.Equal(withFactories.state_dict().Keys.ToList(), withClasses.state_dict().Keys.ToList());
        Assert.Equal(
            withFactories.named_modules().Select(m => m.name).ToList(),
            withClasses.named_modules().Select(m => m.name).ToList());
        var (missing, unexpected) = withFactories.load_state_dict(withClasses.state_dict(), strict: true);
        Assert.Empty(missing);
        Assert.Empty(unexpected);

        var info = NetworkCatalog.All.Single(n => n.Name == name);
        var shape = info.InputShape;
        // Networks with a fixed-size pool (Inception v2) need their own input size; it is cheap for all but the largest.
        var side = info.MultiplyAccumulates <= CheapMacs || shape.Length == 1 ? shape[^1] : Math.Min(shape[^1], Resolution);
        var input = shape.Length == 1 ? randn(2, shape[0]) : randn(1, shape[0], side, side);
        withClasses.eval();
        withFactories.eval();
        using var noGrad = no_grad();
        Assert.True(withClasses.call(input).eq(withFactories.call(input)).all().item<bool>(), $"{name}: the outputs differ");
    }

    [Fact]
    public void The_zoos_familiar_blocks_are_classes()
    {
        var classes = Zoo.Value.Classes;
        foreach (var (network, block) in new[]
                 {
                     ("ResNet18", "BasicBlock"), ("ResNet50", "Bottleneck"), ("DenseNet121", "DenseLayer"), ("DenseNet121", "Transition"),
                     ("RegNetY_400MF", "ResBottleneck"), ("EfficientNetB0", "ConvBnAct"), ("BiT_M_R50x1", "PreActBottleneck"),
                 })
        {
            Assert.NotNull(classes.GetType($"{Namespace}.{network}+{block}"));
        }
    }

    private static nn.Module<Tensor, Tensor> Create(Assembly assembly, string name)
    {
        var constructor = assembly.GetType($"{Namespace}.{name}", throwOnError: true)!.GetConstructors().Single();
        return (nn.Module<Tensor, Tensor>)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }

    private static (Assembly, Assembly) CompileZoo()
    {
        var networks = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Networks"), "*.net.txt")
            .SelectMany(f => NetGenCompiler.Compile(new NetFile(f, File.ReadAllText(f), Namespace)).Networks)
            .ToList();
        return (
            InMemoryAssembly.Compile(networks.Select(n => NetworkEmitter.Emit(n, "test")), "Zoo.Classes"),
            InMemoryAssembly.Compile(networks.Select(n => NetworkEmitter.Emit(n, "test", blockClasses: false)), "Zoo.Factories"));
    }
}
