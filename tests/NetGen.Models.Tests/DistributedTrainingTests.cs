using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen.Generator;
using NetGen.Generator.Emit;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// A network emitted for PyTorch, trained with DistributedDataParallel in two processes (torchrun, gloo, CPU) by
/// dsl-examples/python/train_ddp.py, comes back to its C# class: the state_dict rank 0 saved loads strictly, and
/// the C# class computes PyTorch's eval-mode logits. It needs torchrun with PyTorch 1.13 or later (Debian's
/// python3-torch installs /usr/bin/torchrun; NETGEN_TORCHRUN names another).
/// </summary>
public sealed class DistributedTrainingTests : IDisposable
{
    private const string Network = "TinyResNet";

    // 30 steps of 32 images in each of 2 processes: the loss falls from about 2.3 to about 1 in ~15 s.
    private const int Steps = 30;
    private const int BatchSize = 32;
    private const int Limit = Steps * BatchSize * 2;

    /// <summary>Max |C# logits - PyTorch logits| allowed, relative to the largest |logit|: float32 noise is ~1e-7 of it.</summary>
    private const double RelativeTolerance = 1e-4;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly ITestOutputHelper _output;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netgen-ddp-");

    public DistributedTrainingTests(ITestOutputHelper output) => _output = output;

    private static string Torchrun => Environment.GetEnvironmentVariable("NETGEN_TORCHRUN") ?? "/usr/bin/torchrun";

    public void Dispose() => _folder.Delete(recursive: true);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void A_network_trained_by_ddp_in_two_processes_loads_strictly_into_its_csharp_class_and_gives_pytorchs_logits()
    {
        var module = EmitTinyNetworks();
        var weights = Path.Combine(_folder.FullName, "ddp.pt");
        var evaluation = Path.Combine(_folder.FullName, "ddp-eval.pt");
        var watch = Stopwatch.StartNew();
        RunTorchrun(
            "--standalone", "--nproc_per_node", "2",
            // torch 1.13 under Python 3.11 (Debian 12) cannot parse the default "0" of these two (its Std enum
            // iterates only single-bit members); 2 copies the workers' stderr into log files and to the console.
            "--redirects", "2", "--tee", "2",
            // The agent looks at its workers every 5 s by default: seconds of waiting after they finish.
            "--monitor_interval", "0.5",
            Path.Combine(AppContext.BaseDirectory, "Python", "train_ddp.py"), module, Network,
            "--steps", Text(Steps), "--batch-size", Text(BatchSize), "--limit", Text(Limit), "--seed", "0",
            "--output", weights, "--eval-output", evaluation);
        _output.WriteLine($"torchrun with 2 processes: {watch.Elapsed.TotalSeconds:F1} s");

        using var scope = NewDisposeScope();
        using var network = new NetGen.Examples.TinyResNet();
        network.LoadWeights(weights);
        network.eval();
        var saved = Weights.ReadStateDict(evaluation);
        using var noGrad = no_grad();
        var logits = network.call(saved["input"]);

        var difference = (logits - saved["logits"]).abs().max().item<float>();
        var tolerance = RelativeTolerance * saved["logits"].abs().max().item<float>();
        _output.WriteLine($"max |C# logits - PyTorch logits| = {difference:G3}, tolerance {tolerance:G3}");
        Assert.True(difference <= tolerance, $"max |d| = {difference:G3} > tolerance {tolerance:G3}");

        // Training happened: the loss of the last steps is well below that of the first ones, and the C#
        // class with the trained weights classifies held-out images far above chance (10 %).
        var losses = saved["losses"].data<double>().ToArray();
        Assert.Equal(Steps, losses.Length);
        var (first, last) = (losses.Take(5).Average(), losses.TakeLast(5).Average());
        var accuracy = logits.argmax(1).eq(saved["labels"]).to(ScalarType.Float32).mean().item<float>();
        _output.WriteLine($"loss {first:F3} over the first 5 steps, {last:F3} over the last 5; eval accuracy {accuracy:P0}");
        Assert.True(last < 0.8 * first, $"the loss went from {first:F3} to {last:F3} only");
        Assert.True(accuracy > 0.3, $"eval accuracy {accuracy:P0} after training");
    }

    /// <summary>Emits tiny.net.txt's networks as a Python module with its runtime beside it; returns the module's path.</summary>
    private string EmitTinyNetworks()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Networks", "tiny.net.txt");
        var compiled = NetGenCompiler.Compile(new NetFile(path, File.ReadAllText(path), "NetGen.Examples"));
        Assert.Empty(compiled.Diagnostics);
        var module = Path.Combine(_folder.FullName, "tiny.py");
        File.WriteAllText(module, PythonEmitter.Emit(compiled.Networks, NetGenCompiler.Version));
        File.WriteAllText(Path.Combine(_folder.FullName, PythonEmitter.RuntimeFileName), PythonEmitter.Runtime);
        return module;
    }

    /// <summary>Runs torchrun to its end within <see cref="Timeout"/>; fails with everything it printed unless it exits with 0.</summary>
    private void RunTorchrun(params string[] arguments) =>
        _output.WriteLine(PythonProcess.Run(arguments, Timeout, Torchrun, _folder.FullName));
}
