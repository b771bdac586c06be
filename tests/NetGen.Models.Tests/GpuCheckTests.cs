using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NetGen.GpuCheck;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Models.Tests;

/// <summary>
/// The GPU check (scripts/gpu/ref.py, then tests/NetGen.GpuCheck's measure and report) in CPU mode on one small
/// configuration: the pipeline a CUDA machine runs, so that the one GPU run has nothing left to find out on CPU.
/// </summary>
public class GpuCheckTests
{
    private const string Network = "mobilenet_v3_large";
    private static readonly string[] Small = { "--batch", "2", "--size", "64", "--warmup", "1" };

    private readonly ITestOutputHelper _output;

    public GpuCheckTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void The_cpu_pipeline_matches_pytorchs_logits_and_prints_the_benchmarks_section()
    {
        var clock = Stopwatch.StartNew();
        var data = Directory.CreateTempSubdirectory("netgen-gpucheck-").FullName;
        try
        {
            PythonProcess.Run(
                new[] { Path.Combine(AppContext.BaseDirectory, "Gpu", "ref.py"), "--out", data, "--device", "cpu", "--networks", Network, "--check-batch", "2", "--iterations", "2" }.Concat(Small),
                TimeSpan.FromMinutes(2));
            // One libtorch thread: on a 2-core machine that runs anything else, two spinning OpenMP threads take 20 times as long.
            var threads = TorchSharp.torch.get_num_threads();
            var measure = Run(new[] { "measure", "--data", data, "--device", "cpu", "--network", Network, "--iterations", "2", "--threads", "1" }.Concat(Small).ToArray());
            TorchSharp.torch.set_num_threads(threads);
            _output.WriteLine(measure.Log);
            Assert.True(measure.Code == 0, measure.Error + measure.Log);

            var result = new ResultFolder(data).Read<NetGenResult>($"netgen-{Network}.json");
            Assert.NotNull(result);
            Assert.True(result.Passed);
            Assert.InRange(result.LogitsError, 0, LogitsCheck.DefaultTolerance);
            Assert.True(result.Sensitivity >= LogitsCheck.MinimumSensitivity, $"sensitivity {result.Sensitivity}");
            Assert.True(result.HasTorchVision);
            Assert.InRange(result.TorchVisionLogitsError ?? double.NaN, 0, LogitsCheck.DefaultTolerance);
            Assert.All(new[] { result.EvalMs, result.TrainMs, result.FlatTrainMs, result.OptimizerMs, result.FlatOptimizerMs, result.TorchVisionEvalMs, result.TorchVisionTrainMs }, ms => Assert.InRange(ms ?? double.NaN, 0.001, 1e6));

            var report = Run("report", "--data", data, "--commit", "0000000");
            Assert.True(report.Code == 0, report.Error);
            _output.WriteLine(report.Output);
            Assert.StartsWith("## GPU\n", report.Output.Replace("\r\n", "\n"), StringComparison.Ordinal);
            Assert.Contains("at commit 0000000 on the CPU", report.Output, StringComparison.Ordinal);
            var row = report.Output.Split('\n').First(l => l.StartsWith("| MobileNetV3Large |", StringComparison.Ordinal));
            var cells = row.Trim().Trim('|').Split(" | ");
            Assert.Equal(8, cells.Length);
            Assert.EndsWith("(pass)", cells[1], StringComparison.Ordinal);
            Assert.Matches(@"^\d+\.\d\d / \d+\.\d\d / \d+\.\d\d$", cells[3]);
            Assert.Matches(@"^\d+\.\d\d \(\d+\.\d\d\) / \d+\.\d\d / \d+\.\d\d / \d+\.\d\d$", cells[5]);
            Assert.Matches(@"^\d+\.\d\d / \d+\.\d\d$", cells[6]);

            // The optimizer alone: PyTorch's per-parameter SGD dispatches several operators for each of the 174 parameter tensors.
            var optimizerRow = report.Output.Split('\n').Last(l => l.StartsWith("| MobileNetV3Large |", StringComparison.Ordinal));
            var optimizerCells = optimizerRow.Trim().Trim('|').Split(" | ");
            Assert.Equal(6, optimizerCells.Length);
            var forLoopOperators = int.Parse(Regex.Match(optimizerCells[2], @"^\d+\.\d\d \((\d+)\)$").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(forLoopOperators >= 3 * 174, optimizerCells[2]);
            Assert.Matches(@"^\d+\.\d\d$", optimizerCells[4]);
            Assert.Contains("Training run: not run.", report.Output, StringComparison.Ordinal);
            _output.WriteLine($"ref.py, measure and report: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.0, 1e-8, false)] // a match that proves nothing: the logits ignore the input
    [InlineData(2e-3, 0.5, false)] // an input-dependent network that computes something else
    [InlineData(1e-6, 0.5, true)]
    public void The_logits_check_needs_both_agreement_and_input_sensitivity(double error, double sensitivity, bool passes)
    {
        var verdict = new LogitsVerdict(error, sensitivity, LogitsCheck.DefaultTolerance, LogitsCheck.MinimumSensitivity);
        Assert.Equal(passes, verdict.Passed);
    }

    [Fact]
    public void A_misspelt_option_is_one_usage_line_and_exit_code_2()
    {
        var result = Run("measure", "--network", Network, "--iteration", "3");
        Assert.Equal(2, result.Code);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("NetGen.GpuCheck: ", result.Error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Log, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var log = new StringWriter();
        using var error = new StringWriter();
        var code = Cli.Run(args, output, log, error);
        return (code, output.ToString(), log.ToString(), error.ToString());
    }
}
