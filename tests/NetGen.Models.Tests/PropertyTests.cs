using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using NetGen.Generator.Emit;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Differential property tests: random valid networks drawn from the grammar (layers, blocks, repeats,
/// residual, dense, concat, gate, expressions) are generated, compiled in memory with zero warnings,
/// built and run; the runtime output shape must equal the inferred one and the runtime parameter
/// count the compile-time constant. 200 networks per run with a fixed seed; NETGEN_PROPERTY_COUNT
/// runs more.
/// </summary>
public class PropertyTests
{
    private const int PerCompilation = 20;

    private const string Blocks = """
        block Res(w)
          residual then relu
            conv(w, k=3, p=1, bias=false)
            batchnorm
            shortcut proj when in.channels != w
              conv(w, k=1)

        block Mix(a, b)
          concat
            left: conv(a, k=1)
            middle:
              conv(b, k=(1, 3), p=(0, 1))
              relu
            maxpool(k=3, s=1, p=1)

        block Grow(g)
          dense
            batchnorm
            relu
            conv(g, k=3, p=1)

        block Squeeze
          gate
            adaptive_avgpool(1)
            conv(max(1, in.channels // 2), k=1)
            relu
            conv(in.channels, k=1)
            sigmoid

        """;

    private readonly ITestOutputHelper _output;

    public PropertyTests(ITestOutputHelper output) => _output = output;

    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("NETGEN_PROPERTY_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 200;

    /// <summary>A network is drawn as a list of choices; <see cref="Build"/> turns them into a valid file.</summary>
    private static readonly Gen<int[]> Choices = Gen.Int[0, 1000].Array[60];

    [Fact]
    public void Random_valid_networks_run_with_the_inferred_output_shape_and_parameter_count()
    {
        var pcg = new PCG(7, 20261125);
        var checkedNetworks = 0;
        for (var batch = 0; checkedNetworks < Count; batch++)
        {
            var sources = new List<(string Name, string Text)>();
            for (var i = 0; i < PerCompilation; i++)
            {
                var name = $"Random{batch}_{i}";
                sources.Add((name, Build(name, Choices.Generate(pcg, null, out _))));
            }

            foreach (var (name, type, model) in CompileAll(sources))
            {
                CheckNetwork(type, model, sources.Single(s => s.Name == name).Text);
                checkedNetworks++;
            }
        }

        _output.WriteLine($"{checkedNetworks} random networks generated, compiled, built and run");
    }

    private static void CheckNetwork(Type type, NetGen.Generator.Binding.NetworkModel model, string text)
    {
        using var scope = NewDisposeScope();
        using var network = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
        Assert.Equal(model.ParameterCount, (long)type.GetField("ParameterCount")!.GetValue(null)!);
        Assert.Equal(model.ParameterCount, network.ParameterCount());
        network.eval();
        using var noGrad = no_grad();
        var output = network.call(randn(Dimensions(2, model.Input)));
        var expected = Dimensions(2, model.Output);
        Assert.True(expected.SequenceEqual(output.shape), $"{model.ClassName}: output {string.Join("x", output.shape)}, inferred {string.Join("x", expected)}\n{text}");
    }

    private static long[] Dimensions(long batch, NetGen.Generator.Binding.Shape shape) =>
        shape.IsFlat ? new[] { batch, shape.Channels } : new[] { batch, shape.Channels, shape.Height, shape.Width };

    /// <summary>Builds a valid file from choices, tracking the spatial size so no map vanishes.</summary>
    public static string Build(string name, int[] choices)
    {
        var next = 0;
        int Pick(int n) => choices[next++ % choices.Length] % n;
        var channels = 1 + Pick(4);
        var size = new[] { 8, 12, 16, 20 }[Pick(4)];
        var text = new StringBuilder($"network {name}\n  input {channels}x{size}x{size}\n");
        var statements = 1 + Pick(6);
        for (var s = 0; s < statements; s++)
        {
            var label = Pick(3) == 0 ? $"s{s}: " : string.Empty;
            switch (Pick(11))
            {
                case 0:
                    var kernel = new[] { "1", "3", "5", "(1, 3)" }[Pick(4)];
                    var padding = kernel switch { "1" => "0", "3" => "1", "5" => "2", _ => "(0, 1)" };
                    var stride = size >= 8 && Pick(3) == 0 ? 2 : 1;
                    text.Append($"  {label}conv({1 + Pick(12)}, k={kernel}, s={stride}, p={padding}, bias={(Pick(2) == 0 ? "true" : "false")})\n");

                    // Odd kernels with half padding: the size at stride 2 is floor((n - 1) / 2) + 1.
                    size = stride == 2 ? ((size - 1) / 2) + 1 : size;
                    break;
                case 1:
                    text.Append(Pick(2) == 0 ? $"  {label}batchnorm(eps=0.001)\n" : $"  {label}groupnorm(1)\n");
                    break;
                case 2:
                    text.Append($"  {label}{new[] { "relu", "relu6", "silu", "sigmoid", "gelu", "hardswish", "hardsigmoid", "tanh", "identity" }[Pick(9)]}\n");
                    break;
                case 3 when size >= 4:
                    if (Pick(2) == 0 && size % 2 == 1)
                    {
                        text.Append($"  {label}maxpool(k=2, s=2, ceil=true)\n");
                        size = (size + 1) / 2;
                    }
                    else
                    {
                        text.Append($"  {label}avgpool(k=2)\n");
                        size /= 2;
                    }

                    break;
                case 4:
                    text.Append($"  {label}Res({1 + Pick(8)} * 2) x {1 + Pick(3)}\n");
                    break;
                case 5:
                    text.Append($"  {label}Mix({1 + Pick(6)}, max(2, {Pick(6)}))\n");
                    break;
                case 6:
                    text.Append($"  s{s}: Grow({1 + Pick(4)}) x {1 + Pick(3)} as layer{{i + 1}}\n");
                    break;
                case 7:
                    text.Append($"  {label}Squeeze\n");
                    break;
                case 8:
                    text.Append($"  g{s}:\n    conv({2 + Pick(6)}, k=3, p=same)\n    relu\n    dropout(0.1)\n");
                    break;
                case 9:
                    text.Append($"  {label}pad(1)\n");
                    size += 2;
                    break;
                default:
                    text.Append($"  {label}wsconv({1 + Pick(8)}, k=1)\n");
                    break;
            }
        }

        text.Append($"  adaptive_avgpool(1)\n  flatten\n  head: linear({2 + Pick(9)})\n");
        return text + "\n" + Blocks;
    }

    /// <summary>Runs the generator on the files, compiles everything in memory with zero warnings, and loads it.</summary>
    private static IEnumerable<(string Name, Type Type, NetGen.Generator.Binding.NetworkModel Model)> CompileAll(IReadOnlyList<(string Name, string Text)> sources)
    {
        var models = new Dictionary<string, NetGen.Generator.Binding.NetworkModel>();
        var emitted = new List<string>();
        foreach (var (name, text) in sources)
        {
            var result = NetGenCompiler.Compile(new NetFile(name + ".net.txt", text, "Random"));
            Assert.True(result.Diagnostics.Count == 0, $"{name} should be valid:\n{text}\n{string.Join("\n", result.Diagnostics)}");
            models[name] = result.Networks.Single();
            emitted.Add(NetworkEmitter.Emit(models[name], "test"));
        }

        var assembly = InMemoryAssembly.Compile(emitted, "Random" + Guid.NewGuid().ToString("N"));
        return sources.Select(s => (s.Name, assembly.GetType("Random." + s.Name)!, models[s.Name]));
    }
}
