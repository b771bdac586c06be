using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Generated;
using NetGen.Generator;
using NetGen.Generator.Binding;
using NetGen.Generator.Emit;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// The zoo emitted for PyTorch (<see cref="PythonEmitter"/>) is the same network as the generated C#: the same
/// state_dict keys and shapes; torchvision's weights load strictly and give torchvision's outputs; and a
/// state_dict moves from C# to PyTorch and back with the same eval logits. The Python half is
/// Python/pytorch_target.py, run with Debian's torch (CI installs it).
/// </summary>
public class PyTorchTargetTests : IClassFixture<PyTorchTargetTests.EmittedZoo>
{
    /// <summary>Networks above this size are left to the C#-only tests: each side would build its own copy.</summary>
    private const long LargestDescribed = 200_000_000;

    /// <summary>
    /// |emitted - torchvision| allowed, as a fraction of the logits' spread. Both run in the same torch with the
    /// same operations in the same order, so they agree to the bit (measured: 0 on all 70).
    /// </summary>
    private const double TorchvisionTolerance = 1e-6;

    /// <summary>
    /// |PyTorch - C#| allowed after a state_dict moves, as a fraction of the logits' spread: torch 1.13 and
    /// libtorch 2.10 compute the same float32 function with different kernels.
    /// </summary>
    private const double RoundTripTolerance = 1e-4;

    private readonly EmittedZoo _zoo;
    private readonly ITestOutputHelper _output;

    public PyTorchTargetTests(EmittedZoo zoo, ITestOutputHelper output)
    {
        _zoo = zoo;
        _output = output;
    }

    public static IEnumerable<object[]> ZooFiles() => EmittedZoo.Files.Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(ZooFiles))]
    public void Every_network_emitted_for_pytorch_has_the_csharp_keys_shapes_and_counts(string file)
    {
        var networks = _zoo.Networks(file).Where(n => n.ParameterCount <= LargestDescribed).ToList();
        Assert.NotEmpty(networks);
        var described = _zoo.Run("describe", file, networks.Select(n => n.ClassName));
        foreach (var network in networks)
        {
            using var csharp = NetworkCatalog.All.Single(n => n.Name == network.ClassName).Create();
            var entry = described.GetProperty(network.ClassName);
            Assert.Equal(StateDictLines.Of(csharp), Entries(entry));
            Assert.Equal(network.ParameterCount, entry.GetProperty("parameter_count").GetInt64());
            Assert.Equal(network.ParameterCount, entry.GetProperty("counted").GetInt64());
        }
    }

    public static IEnumerable<object[]> TorchvisionFiles() =>
        EmittedZoo.Files.Where(f => EmittedZoo.Load(f).Any(n => ReferenceData.TryGet(n.ClassName, out _))).Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(TorchvisionFiles))]
    public void Torchvision_weights_load_strictly_into_the_emitted_module_and_give_torchvision_outputs(string file)
    {
        var names = _zoo.Networks(file).Select(n => n.ClassName).Where(n => ReferenceData.TryGet(n, out _)).ToList();

        // Auxiliary heads pool to a fixed size only at the native resolution, and AlexNet's pools need 63 pixels;
        // elsewhere the smallest input every stage keeps (32: five halvings) checks the same function, faster.
        var resolution = file switch
        {
            "googlenet.net.txt" or "inception.net.txt" => 299,
            "alexnet.net.txt" => 64,
            _ => 32,
        };
        var result = _zoo.Run("torchvision", file, names.Prepend(resolution.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var name in names)
        {
            var entry = result.GetProperty(name);
            var spread = entry.GetProperty("spread").GetDouble();
            var allowed = TorchvisionTolerance * spread;
            _output.WriteLine($"{name}: |emitted - torchvision| {entry.GetProperty("difference").GetDouble():G3}, spread {spread:G3}");
            Assert.True(entry.GetProperty("strict").GetBoolean(), name);
            Assert.True(entry.GetProperty("difference").GetDouble() <= allowed, $"{name}: |emitted - torchvision| = {entry.GetProperty("difference").GetDouble()} > {allowed}");
            Assert.True(entry.GetProperty("moved").GetDouble() > 100 * allowed, $"{name}: the logits barely depend on the input");
            if (entry.TryGetProperty("auxiliary", out var auxiliary))
            {
                foreach (var head in auxiliary.EnumerateObject())
                {
                    Assert.True(head.Value.GetDouble() <= allowed, $"{name}.{head.Name}: |emitted - torchvision| = {head.Value.GetDouble()} > {allowed}");
                }
            }
        }
    }

    /// <summary>
    /// One network per family, at its native resolution. VGG's layers are AlexNet's (and torchvision's weights
    /// check all seven VGGs above); building and filling 133 million parameters on both sides costs a minute.
    /// </summary>
    public static TheoryData<string, string> Families() => new()
    {
        { "tiny.net.txt", "TinyResNet" },
        { "alexnet.net.txt", "AlexNet" },
        { "resnet.net.txt", "ResNeXt50_32x4d" },
        { "googlenet.net.txt", "GoogLeNet" },
        { "bninception.net.txt", "InceptionV2" },
        { "inception.net.txt", "InceptionV3NoAux" },
        { "densenet.net.txt", "DenseNet121" },
        { "efficientnet.net.txt", "EfficientNetB0" },
        { "mobilenet.net.txt", "MobileNetV3Small" },
        { "squeezenet.net.txt", "SqueezeNet1_1" },
        { "shufflenet.net.txt", "ShuffleNetV2_x0_5" },
        { "mnasnet.net.txt", "MNASNet0_5" },
        { "regnet.net.txt", "RegNetY_400MF" },
        { "convnext.net.txt", "ConvNeXtTiny" },
        { "bit.net.txt", "BiT_M_R50x1" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void A_state_dict_moves_from_csharp_to_pytorch_and_back_with_the_same_eval_logits(string file, string name)
    {
        var folder = Directory.CreateTempSubdirectory("netgen-roundtrip-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            var info = NetworkCatalog.All.Single(n => n.Name == name);
            using var network = info.Create();
            DeterministicWeights.Fill(network);
            network.eval();
            var weights = Path.Combine(folder, "csharp.pt");
            network.SaveWeights(weights);
            var input = DeterministicWeights.Input("input", new long[] { 2 }.Concat(info.InputShape).ToArray());
            using (no_grad())
            {
                SaveTensors(Path.Combine(folder, "csharp-check.pt"), ("input", input), ("logits", network.call(input)));
            }

            var result = _zoo.Run("roundtrip", file, new[]
            {
                name, weights, Path.Combine(folder, "csharp-check.pt"), Path.Combine(folder, "pytorch.pt"), Path.Combine(folder, "pytorch-check.pt"),
            });
            var spread = result.GetProperty("spread").GetDouble();
            _output.WriteLine($"{name}: PyTorch on C#'s weights |PyTorch - C#| {result.GetProperty("difference").GetDouble():G3}, spread {spread:G3}");
            Assert.True(result.GetProperty("strict").GetBoolean());
            Assert.True(result.GetProperty("difference").GetDouble() <= RoundTripTolerance * spread,
                $"PyTorch on C#'s weights: |PyTorch - C#| = {result.GetProperty("difference").GetDouble()}, spread {spread}");

            // Back: PyTorch's changed weights load strictly into a fresh C# network and give PyTorch's logits.
            using var back = info.Create();
            back.LoadWeights(Path.Combine(folder, "pytorch.pt"));
            back.eval();
            var check = Weights.ReadStateDict(Path.Combine(folder, "pytorch-check.pt"));
            using (no_grad())
            {
                var expected = check["logits"];
                var actual = back.call(check["input"]);
                var difference = (actual - expected).abs().max().item<float>();
                var backSpread = (expected.max() - expected.min()).item<float>();
                _output.WriteLine($"{name}: C# on PyTorch's weights |C# - PyTorch| {difference:G3}, spread {backSpread:G3}");
                Assert.True(difference <= RoundTripTolerance * backSpread, $"C# on PyTorch's weights: |C# - PyTorch| = {difference}, spread {backSpread}");
                Assert.True((actual - network.call(check["input"])).abs().max().item<float>() > 100 * RoundTripTolerance * backSpread,
                    "PyTorch's weights must differ from C#'s, or the way back checks nothing");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Every built-in layer, through its descriptor's example (<see cref="LayerSpec.Example"/>): the emitted PyTorch
    /// module, given the C# module's weights, computes the C# module's eval output.
    /// </summary>
    [Fact]
    public void Every_layer_computes_in_pytorch_what_it_computes_in_csharp()
    {
        var specs = LayerCatalog.All.ToList();
        var networks = specs.SelectMany(spec => NetGenCompiler.Compile(new NetFile("/p/layers.net.txt", spec.ExampleNetwork("L_" + spec.Name), "Layers")).Networks).ToList();
        Assert.Equal(specs.Count, networks.Count);
        AssertPyTorchComputesWhatCSharpComputes(networks, "Layers");
    }

    /// <summary>
    /// Keys Python cannot write as attributes: numbers, keywords, and names <c>nn.Module</c> uses itself (which
    /// <c>add_module</c> refuses), on the network and inside containers.
    /// </summary>
    [Fact]
    public void Keys_python_reserves_keep_their_names_in_the_state_dict()
    {
        const string Text = """
            network Names(lambda = 4)
              input 3x8x8
              train: conv(lambda, k=3, p=1)
              to: batchnorm
              relu
              class: seq
                forward: conv(8, k=1)
                _modules: batchnorm
                eval: scale(0.5)
              state_dict: residual
                parameters: conv(8, k=3, p=1)
              flatten
              None: linear(3)
            """;
        var networks = NetGenCompiler.Compile(new NetFile("/p/names.net.txt", Text, "Names")).Networks;
        Assert.Single(networks);
        AssertPyTorchComputesWhatCSharpComputes(networks, "Names");
    }

    /// <summary>
    /// Each network, compiled from C# and emitted for PyTorch: with the C# module's (deterministic) weights, the
    /// PyTorch module loads them strictly and computes the C# module's eval output within 1e-5 of its magnitude.
    /// </summary>
    private void AssertPyTorchComputesWhatCSharpComputes(IReadOnlyList<NetworkModel> networks, string name)
    {
        var assembly = InMemoryAssembly.Compile(networks.Select(n => NetworkEmitter.Emit(n, "test")), name);
        var folder = Directory.CreateTempSubdirectory("netgen-compare-").FullName;
        try
        {
            var module = name.ToLowerInvariant();
            File.WriteAllText(Path.Combine(folder, PythonEmitter.RuntimeFileName), PythonEmitter.Runtime);
            File.WriteAllText(Path.Combine(folder, module + ".py"), PythonEmitter.Emit(networks, "test"));
            var manifest = new List<Dictionary<string, string>>();
            foreach (var network in networks)
            {
                using var scope = NewDisposeScope();
                var constructor = assembly.GetType($"{name}.{network.ClassName}")!.GetConstructors().Single();
                using var csharp = (nn.Module<Tensor, Tensor>)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
                DeterministicWeights.Fill(csharp);
                csharp.eval();
                var weights = Path.Combine(folder, network.ClassName + ".pt");
                var check = Path.Combine(folder, network.ClassName + "-check.pt");
                csharp.SaveWeights(weights);
                var input = DeterministicWeights.Input(network.ClassName, new long[] { 2 }.Concat(network.Input.Sizes).ToArray());
                using (no_grad())
                {
                    SaveTensors(check, ("input", input), ("logits", csharp.call(input)));
                }

                manifest.Add(new() { ["class"] = network.ClassName, ["weights"] = weights, ["check"] = check });
            }

            File.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest));
            var result = _zoo.RunScript("compare", folder, module, new[] { Path.Combine(folder, "manifest.json") }, TimeSpan.FromMinutes(2));
            foreach (var network in networks)
            {
                var entry = result.GetProperty(network.ClassName);
                var (difference, scale) = (entry.GetProperty("difference").GetDouble(), entry.GetProperty("scale").GetDouble());
                _output.WriteLine($"{network.ClassName}: |PyTorch - C#| {difference:G3}, max |output| {scale:G3}");
                Assert.True(entry.GetProperty("strict").GetBoolean(), network.ClassName);
                Assert.True(scale > 0, $"{network.ClassName}: the output is all zeros");
                Assert.True(difference <= 1e-5 * scale, $"{network.ClassName}: |PyTorch - C#| = {difference:G3}, max |output| {scale:G3}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every operator and function of the DSL on constructor parameters, in channel counts, features and hyperparameters.</summary>
    private const string Scaled = """
        network Scaled(width = 1.0, depth = 2, classes = 10, wide = false)
          let stem = make_divisible(32 * width, 8)
          input 3x32x32
          stem: conv(stem, k=3, s=2, p=1, bias=false)
          bn: batchnorm(eps=1e-3 * width)
          relu
          mid: conv(wide ? 64 : max(stem // 2, 8), k=3, p=1, bias=not wide)
          bn2: batchnorm
          act: leaky_relu(0.1 * depth)
          wide_conv: conv(ceil(width * 3) * 8 + (depth % 3) * 8, k=1)
          pool: adaptive_avgpool(1)
          flatten
          drop: dropout(0.4 * depth / (depth + 2))
          fc: linear(classes * depth // 2 + round(width * 3) % 4 + int(2 ** 0.5 * depth) + abs(-depth) + floor(sqrt(width * 9)) + floor(log(depth + 1, 2)))
        """;

    [Theory]
    [InlineData(1.0, 2L, 10L, false)]
    [InlineData(1.7, 5L, 7L, true)]
    [InlineData(0.3, 9L, 1000L, false)]
    [InlineData(2.5, 1L, 3L, true)]
    public void Constructor_arguments_give_the_same_network_in_csharp_and_pytorch(double width, long depth, long classes, bool wide)
    {
        var networks = NetGenCompiler.Compile(new NetFile("/p/scaled.net.txt", Scaled, "Scaled.Nets")).Networks;
        var type = InMemoryAssembly.Compile(networks.Select(n => NetworkEmitter.Emit(n, "test")), "Scaled.Nets").GetType("Scaled.Nets.Scaled")!;
        using var csharp = (nn.Module)Activator.CreateInstance(type, width, depth, classes, wide)!;
        var folder = Directory.CreateTempSubdirectory("netgen-scaled-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, PythonEmitter.RuntimeFileName), PythonEmitter.Runtime);
            File.WriteAllText(Path.Combine(folder, "scaled.py"), PythonEmitter.Emit(networks, "test"));
            var arguments = JsonSerializer.Serialize(new Dictionary<string, object> { ["width"] = width, ["depth"] = depth, ["classes"] = classes, ["wide"] = wide });
            var described = _zoo.RunScript("construct", folder, "scaled", new[] { "Scaled", arguments }, TimeSpan.FromMinutes(1)).GetProperty("Scaled");
            Assert.Equal(StateDictLines.Of(csharp), Entries(described));
            Assert.Equal(csharp.parameters().Sum(p => p.numel()), described.GetProperty("counted").GetInt64());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The served Python process: a command that raises fails the test with Python's traceback, and the process answers the next one.</summary>
    [Fact]
    public void A_failing_python_command_fails_with_its_traceback_and_the_next_command_runs()
    {
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => _zoo.Run("describe", "tiny.net.txt", new[] { "NoSuchNetwork" }));
        Assert.Contains("Traceback", failure.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchNetwork", failure.Message, StringComparison.Ordinal);

        AssertTheProcessAnswers();
    }

    /// <summary>A command past its time limit fails the test, its process is killed, and the next command gets a new one.</summary>
    [Fact]
    public void A_python_command_past_its_time_limit_fails_and_the_next_command_runs_in_a_new_process()
    {
        var failure = Assert.Throws<Xunit.Sdk.FailException>(() => _zoo.RunScript("describe", _zoo.Folder, "tiny", new[] { "TinyResNet" }, TimeSpan.FromMilliseconds(1)));
        Assert.Contains("ran past", failure.Message, StringComparison.Ordinal);

        AssertTheProcessAnswers();
    }

    /// <summary>The served process (the same or a new one) answers a command: TinyResNet's parameter count.</summary>
    private void AssertTheProcessAnswers()
    {
        var described = _zoo.Run("describe", "tiny.net.txt", new[] { "TinyResNet" });
        Assert.Equal(NetworkCatalog.All.Single(n => n.Name == "TinyResNet").ParameterCount, described.GetProperty("TinyResNet").GetProperty("counted").GetInt64());
    }

    /// <summary>pytorch_target.py's description of a module's state_dict, as <see cref="StateDictLines"/> writes C#'s.</summary>
    private static List<string> Entries(JsonElement described) =>
        StateDictLines.Of(described.GetProperty("keys").EnumerateArray().Select(k => (k[0].GetString()!, k[1].EnumerateArray().Select(d => d.GetInt64()))));

    /// <summary>Tensors in a torch.save file, as Python's <c>torch.load</c> reads a dict of them.</summary>
    private static void SaveTensors(string path, params (string Name, Tensor Tensor)[] tensors)
    {
        var state = new Hashtable();
        foreach (var (name, tensor) in tensors)
        {
            state[name] = tensor.detach().cpu().contiguous();
        }

        using var file = File.Create(path);
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(file, state);
    }

    /// <summary>
    /// Every zoo file emitted once for PyTorch into a temporary folder, with the runtime module; and the one Python
    /// process (Python/pytorch_target.py serve) that runs every command of the class's tests.
    /// </summary>
    public sealed class EmittedZoo : IDisposable
    {
        private readonly PythonWorker _python = new(Path.Combine(AppContext.BaseDirectory, "Python", "pytorch_target.py"));

        public static readonly string[] Files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Networks"), "*.net.txt")
            .Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;

        public EmittedZoo()
        {
            Folder = Directory.CreateTempSubdirectory("netgen-pytorch-").FullName;
            File.WriteAllText(Path.Combine(Folder, PythonEmitter.RuntimeFileName), PythonEmitter.Runtime);
            foreach (var file in Files)
            {
                File.WriteAllText(Path.Combine(Folder, Module(file) + ".py"), PythonEmitter.Emit(Load(file), "test"));
            }
        }

        public string Folder { get; }

        public static IReadOnlyList<NetworkModel> Load(string file)
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Networks", file);
            var result = NetGenCompiler.Compile(new NetFile(path, File.ReadAllText(path), "NetGen.Generated"));
            Assert.Empty(result.Diagnostics);
            return result.Networks;
        }

        public IReadOnlyList<NetworkModel> Networks(string file) => Load(file);

        /// <summary>Runs a command of pytorch_target.py on a file's module; its JSON output.</summary>
        public JsonElement Run(string command, string file, IEnumerable<string> arguments) =>
            RunScript(command, Folder, Module(file), arguments, TimeSpan.FromMinutes(5));

        /// <summary>Runs a command of pytorch_target.py on the emitted module <paramref name="module"/> in <paramref name="folder"/>; its JSON output.</summary>
        public JsonElement RunScript(string command, string folder, string module, IEnumerable<string> arguments, TimeSpan timeout) =>
            _python.Call(new[] { "--folder", folder, "--module", module, command }.Concat(arguments).ToList(), timeout);

        private static string Module(string file) => file.Substring(0, file.Length - ".net.txt".Length);

        public void Dispose()
        {
            _python.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
