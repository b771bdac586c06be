using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using NetGen.Examples;
using NetGen.Examples.Training;
using TorchSharp;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>
/// What <c>train</c> refuses, in one line and with a non-zero exit code, instead of aborting with a stack
/// trace: a DSL file that is not a regular file, a network too large for memory or for other images than
/// Fashion-MNIST's, found from its compile-time parameter count and shapes before anything is built, and a
/// <c>--resume</c> on another learning-rate schedule than the checkpoint's.
/// </summary>
public sealed class TrainRefusalTests : IDisposable
{
    /// <summary>A linear layer of 10^12 weights: 16 TB to train, on any machine this runs on.</summary>
    private const string HugeNetwork = "network Huge\n  input 1000000\n  linear(1000000)\n";

    /// <summary>Each path that is not a DSL file by name: how to make it, and a part of the message that says why.</summary>
    private static readonly Dictionary<string, (Func<string, string> Create, string Message)> NotDslFiles = new()
    {
        ["a link to /dev/zero"] = (folder => Link(folder, "zero.net.txt", "/dev/zero"), "is a character device, not a regular file"),
        ["a FIFO"] = (folder => Fifo(folder, "pipe.net.txt"), "is a named pipe (FIFO), not a regular file"),
        ["a directory"] = (folder => Directory.CreateDirectory(Path.Combine(folder, "folder.net.txt")).FullName, "is a directory"),
        ["a missing file"] = (folder => Path.Combine(folder, "missing.net.txt"), "does not exist"),
    };

    /// <summary>A network for 3x32x32 images (CIFAR-10's), not Fashion-MNIST's 1x28x28.</summary>
    private const string CifarNetwork = "network Cifar\n  input 3x32x32\n  conv(8, k=3, p=1)\n  relu\n  adaptive_avgpool(1)\n  flatten\n  linear(10)\n";

    /// <summary>A network for Fashion-MNIST small enough to train an epoch of a few images in a moment.</summary>
    private const string SmallNetwork = "network Small\n  input 1x28x28\n  conv(4, k=3, p=1)\n  relu\n  adaptive_avgpool(1)\n  flatten\n  linear(10)\n";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-refusal-" + Guid.NewGuid().ToString("N"));

    public TrainRefusalTests() => Directory.CreateDirectory(_folder);

    public static TheoryData<string> NotDslFileCases => new(NotDslFiles.Keys);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_DSL_network_too_large_for_memory_is_refused_before_it_is_built()
    {
        var path = Path.Combine(_folder, "huge.net.txt");
        File.WriteAllText(path, HugeNetwork);
        var statistics = DisposeScopeManager.Statistics.TensorStatistics;
        var tensorsBefore = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;

        var error = Assert.Throws<InsufficientMemoryException>(() => Trainer.CreateNetwork(path));

        Assert.StartsWith("Huge (huge.net.txt) has 1,000,001,000,000 parameters; training it needs about 14.6 TiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(tensorsBefore, statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount);
    }

    [Fact]
    public void Train_with_a_network_too_large_for_memory_says_so_in_one_line_and_exits_1()
    {
        var path = Path.Combine(_folder, "huge.net.txt");
        File.WriteAllText(path, HugeNetwork);

        var (exitCode, error) = RunCli("train", "--network", path, "--data", "embedded", "--limit", "10", "--output", _folder);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("train: Huge (huge.net.txt) has 1,000,001,000,000 parameters", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_DSL_network_for_other_images_is_refused_before_it_is_built()
    {
        var path = Path.Combine(_folder, "cifar.net.txt");
        File.WriteAllText(path, CifarNetwork);
        var statistics = DisposeScopeManager.Statistics.TensorStatistics;
        var tensorsBefore = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;

        var error = Assert.Throws<ArgumentException>(() => Trainer.CreateNetwork(path));

        Assert.Equal("Cifar (cifar.net.txt) takes 3x32x32 and gives 10; Fashion-MNIST needs 1x28x28 -> 10: TinyResNet, TinyResNetNoisy, TinyResNetWide", error.Message);
        Assert.Equal(tensorsBefore, statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount);
    }

    [Fact]
    public void Train_with_a_network_for_other_images_says_so_in_one_line_and_exits_1()
    {
        var path = Path.Combine(_folder, "cifar.net.txt");
        File.WriteAllText(path, CifarNetwork);

        var (exitCode, error) = RunCli("train", "--network", path, "--data", "embedded", "--limit", "10", "--output", _folder);

        Assert.Equal(1, exitCode);
        Assert.Equal("train: Cifar (cifar.net.txt) takes 3x32x32 and gives 10; Fashion-MNIST needs 1x28x28 -> 10: TinyResNet, TinyResNetNoisy, TinyResNetWide", error.Trim());
    }

    [Fact]
    public void Resuming_on_another_schedule_is_refused_in_one_line_unless_allowed()
    {
        var network = Path.Combine(_folder, "small.net.txt");
        File.WriteAllText(network, SmallNetwork);
        var output = Path.Combine(_folder, "run");
        string[] Train(params string[] more) => new[] { "train", "--network", network, "--data", "embedded", "--limit", "32", "--batch-size", "16", "--output", output }.Concat(more).ToArray();
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "1")));

        var (exitCode, error) = RunCli(Train("--epochs", "2", "--lr", "0.05", "--resume"));
        Assert.Equal(1, exitCode);
        Assert.Equal($"train: --resume: the checkpoint in {output} was trained on another learning-rate schedule (--epochs 1 then, 2 now; --lr 0.1 then, 0.05 now); pass --allow-schedule-change to continue on this run's", error.Trim());

        // The same schedule resumes (with nothing left to train); an allowed change trains on, and records its schedule.
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "1", "--resume")));
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "2", "--lr", "0.05", "--resume", "--allow-schedule-change")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, "metrics.csv")).Length);
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "2", "--lr", "0.05", "--resume")));
        Assert.Equal(1, RunCli(Train("--epochs", "2", "--resume")).ExitCode);
    }

    [Theory]
    [InlineData("fp16", true)]
    [InlineData("bf16", false)]
    public void Mixed_precision_and_channels_last_train_checkpoint_and_resume(string precision, bool channelsLast)
    {
        var network = Path.Combine(_folder, "small.net.txt");
        File.WriteAllText(network, SmallNetwork);
        var output = Path.Combine(_folder, "run-" + precision);
        string[] Train(string epochs, params string[] more) => new[] { "train", "--network", network, "--data", "embedded", "--limit", "32", "--batch-size", "16", "--output", output, "--epochs", epochs, "--precision", precision }
            .Concat(channelsLast ? new[] { "--channels-last" } : Array.Empty<string>()).Concat(more).ToArray();

        // TorchSharp's checkpoint formats write bytes as they lie: channels-last weights and momentum must be laid out for them.
        Assert.Equal((0, string.Empty), RunCli(Train("1")));
        Assert.Equal((0, string.Empty), RunCli(Train("2", "--resume", "--allow-schedule-change")));
        var metrics = File.ReadAllLines(Path.Combine(output, "metrics.csv"));
        Assert.Equal(3, metrics.Length);
        Assert.All(metrics.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)), line));
    }

    [Fact]
    public void A_checkpoint_that_records_no_schedule_resumes_only_when_allowed()
    {
        var network = Path.Combine(_folder, "small.net.txt");
        File.WriteAllText(network, SmallNetwork);
        var output = Path.Combine(_folder, "run");
        string[] Train(params string[] more) => new[] { "train", "--network", network, "--data", "embedded", "--limit", "32", "--batch-size", "16", "--output", output }.Concat(more).ToArray();
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "1")));

        // state.json as versions before the schedule and test accuracy were recorded wrote it.
        var statePath = Path.Combine(output, "state.json");
        var state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        state.Remove("Schedule");
        foreach (var epoch in state["History"]!.AsArray())
        {
            epoch!.AsObject().Remove("TestAccuracy");
        }

        File.WriteAllText(statePath, state.ToJsonString());
        var (exitCode, error) = RunCli(Train("--epochs", "1", "--resume"));
        Assert.Equal(1, exitCode);
        Assert.Equal($"train: --resume: the checkpoint in {output} records no learning-rate schedule (an older version wrote it); pass --allow-schedule-change to continue on this run's", error.Trim());

        // The first epoch's test accuracy was not measured then; the second one's is.
        Assert.Equal((0, string.Empty), RunCli(Train("--epochs", "2", "--resume", "--allow-schedule-change")));
        var testAccuracies = File.ReadAllLines(Path.Combine(output, "metrics.csv"))[1..].Select(r => double.Parse(r.Split(',')[4], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, testAccuracies.Count);
        Assert.True(double.IsNaN(testAccuracies[0]));
        Assert.InRange(testAccuracies[1], 0, 1);
    }

    [Theory]
    [MemberData(nameof(NotDslFileCases))]
    public async Task Train_with_a_path_that_is_not_a_DSL_file_says_so_in_one_line_and_exits_1(string input)
    {
        var (create, message) = NotDslFiles[input];
        var path = create(_folder);

        // A FIFO that were opened would block forever: fail instead of hanging the run.
        var run = Task.Run(() => RunCli("train", "--network", path, "--data", "embedded", "--limit", "10", "--output", _folder));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        var (exitCode, error) = await run;

        Assert.Equal(1, exitCode);
        Assert.Equal($"train: '{path}' {message}", error.Trim());
    }

    [Theory]
    [InlineData(true, 1_000, 16_000, false)]
    [InlineData(true, 1_000, 15_999, true)]
    [InlineData(true, 0, 0, false)]
    [InlineData(true, long.MaxValue, long.MaxValue, true)]
    [InlineData(false, 1_000, 4_000, false)]
    [InlineData(false, 1_000, 3_999, true)]
    [InlineData(false, long.MaxValue, long.MaxValue, true)]
    public void The_memory_budget_is_sixteen_bytes_a_parameter_to_train_and_four_to_build(bool training, long parameters, long available, bool refused)
    {
        var error = Record.Exception(() =>
        {
            if (training)
            {
                MemoryBudget.RequireTrainable("Net", parameters, available);
            }
            else
            {
                MemoryBudget.RequireBuildable("Net", parameters, available);
            }
        });

        Assert.Equal(refused, error is InsufficientMemoryException);
        Assert.True(refused || error is null);
    }

    [Fact]
    public void The_available_memory_is_positive_and_no_more_than_the_GC_limit()
    {
        var available = MemoryBudget.AvailableBytes();

        Assert.InRange(available, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    /// <summary>Runs the demo's command line with its standard output and error captured; the error text comes back.</summary>
    private static (int ExitCode, string Error) RunCli(params string[] args)
    {
        var (output, error) = (Console.Out, Console.Error);
        using var capturedOutput = new StringWriter();
        using var capturedError = new StringWriter();
        Console.SetOut(capturedOutput);
        Console.SetError(capturedError);
        try
        {
            return (Cli.Run(args), capturedError.ToString().Replace("\r\n", "\n"));
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(error);
        }
    }

    private static string Link(string folder, string name, string target)
    {
        var path = Path.Combine(folder, name);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    private static string Fifo(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        Assert.Equal(0, MakeFifo(path, 0x180));
        return path;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
