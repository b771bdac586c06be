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
            Assert.All(new[] { result.EvalMs, result.TrainMs, result.FlatTrainMs, result.OptimizerMs, result.FlatOptimizerMs, result.TorchVisionEvalMs, result.TorchVisionTrainMs, result.MixedTrainMs }, ms => Assert.InRange(ms ?? double.NaN, 0.001, 1e6));
            Assert.InRange(new ResultFolder(data).Read<PyTorchResult>($"pytorch-{Network}.json")?.MixedTrainMs ?? double.NaN, 0.001, 1e6);

            var report = Run("report", "--data", data, "--commit", "0000000");
            Assert.True(report.Code == 0, report.Error);
            _output.WriteLine(report.Output);
            Assert.StartsWith("## GPU\n", report.Output.Replace("\r\n", "\n"), StringComparison.Ordinal);
            Assert.Contains("at commit 0000000 on the CPU", report.Output, StringComparison.Ordinal);
            // One row in each of the three tables: networks, optimizer alone, mixed precision.
            var rows = report.Output.Split('\n').Where(l => l.StartsWith("| MobileNetV3Large |", StringComparison.Ordinal)).ToArray();
            Assert.Equal(3, rows.Length);
            var row = rows[0];
            var cells = row.Trim().Trim('|').Split(" | ");
            Assert.Equal(8, cells.Length);
            Assert.EndsWith("(pass)", cells[1], StringComparison.Ordinal);
            Assert.Matches(@"^\d+\.\d\d / \d+\.\d\d / \d+\.\d\d$", cells[3]);
            Assert.Matches(@"^\d+\.\d\d \(\d+\.\d\d\) / \d+\.\d\d / \d+\.\d\d / \d+\.\d\d$", cells[5]);
            Assert.Matches(@"^\d+\.\d\d / \d+\.\d\d$", cells[6]);

            // The optimizer alone: PyTorch's per-parameter SGD dispatches several operators for each of the 174 parameter tensors.
            var optimizerRow = rows[1];
            var optimizerCells = optimizerRow.Trim().Trim('|').Split(" | ");
            Assert.Equal(6, optimizerCells.Length);
            var forLoopOperators = int.Parse(Regex.Match(optimizerCells[2], @"^\d+\.\d\d \((\d+)\)$").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(forLoopOperators >= 3 * 174, optimizerCells[2]);
            Assert.Matches(@"^\d+\.\d\d$", optimizerCells[4]);

            // Mixed precision: PyTorch's and the generated step, their ratio, and each one's speed-up over float32.
            Assert.Matches(@"^\| MobileNetV3Large \| \d+\.\d\d \| \d+\.\d\d \| \d+\.\d\d \| \d+\.\d\d / \d+\.\d\d \|$", rows[2].Trim());
            Assert.Contains("Training runs: not run.", report.Output, StringComparison.Ordinal);
            _output.WriteLine($"ref.py, measure and report: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void The_training_table_compares_each_precision_with_fp32_seed_by_seed_and_times_seed_1_alone()
    {
        var data = Directory.CreateTempSubdirectory("netgen-gpucheck-training-").FullName;
        try
        {
            var folder = new ResultFolder(data);
            // Test accuracies in %, seeds 1 to 3: bf16 differs from fp32 by +0.1, 0, -0.1 points, fp16 by +1.0, +1.1, +0.9.
            var accuracies = new (string Precision, double[] Percent, double ImagesPerSecond)[]
            {
                ("fp32", new[] { 85.0, 86.0, 85.5 }, 10_000),
                ("bf16", new[] { 85.1, 86.0, 85.4 }, 12_500),
                ("fp16", new[] { 86.0, 87.1, 86.4 }, 11_000),
            };
            foreach (var (precision, percent, speed) in accuracies)
            {
                for (var seed = 1; seed <= percent.Length; seed++)
                {
                    WriteRun(folder, precision, seed, 0, percent[seed - 1] / 100, seed == 1 ? speed : speed / 4);
                }
            }

            WriteRun(folder, "fp16", 4, 134, 0.5, 1);
            File.Delete(folder.File("training-fp16-4.csv"));

            var report = TrainingReport.Write(folder);
            _output.WriteLine(report);
            var rows = report.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToArray();
            Assert.Equal(new[] { "fp32", "bf16", "fp16" }, rows.Select(r => r[0]));
            Assert.Equal(new[] { "fp32", "3", "85.50 % (85.00–86.00)", "–", "10,000", "–", "12.5" }, rows[0]);
            Assert.Equal(new[] { "bf16", "3", "85.50 % (85.10–86.00)", "0.00 ± 0.10 (−0.25 to +0.25)", "12,500", "1.25", "12.5" }, rows[1]);
            Assert.Equal(new[] { "fp16", "3", "86.50 % (86.00–87.10)", "+1.00 ± 0.10 (+0.75 to +1.25)", "11,000", "1.10", "12.5" }, rows[2]);
            Assert.Contains("bf16: yes (−0.25 to +0.25 over 3 seeds); fp16: no (+0.75 to +1.25 over 3 seeds).", report, StringComparison.Ordinal);
            Assert.Contains("Failed runs, left out: fp16 seed 4 (exit code 134).", report, StringComparison.Ordinal);
            Assert.Contains("(`NetGen.Examples train --device cuda --data embedded --precision P --seed S` for each precision P and seed S): TinyResNet, 2 epochs", report, StringComparison.Ordinal);
            Assert.Contains("seeds 1 to 4", report, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { 0.3, -0.2, 0.4 }, "not shown")] // mean +0.17, but 3 seeds leave an interval wider than the margin
    [InlineData(new[] { 0.6 }, "not shown")] // one seed: no interval at all
    [InlineData(new[] { -1.0, -0.9, -1.1, -1.0 }, "no")]
    [InlineData(new[] { 0.1, 0.0, -0.1, 0.05, -0.05 }, "yes")]
    public void Equivalence_with_fp32_needs_the_whole_confidence_interval_inside_the_margin(double[] differences, string verdict)
    {
        var difference = PairedDifference.Of(differences);
        Assert.NotNull(difference);
        Assert.StartsWith($"bf16: {verdict} (", difference.Verdict("bf16"), StringComparison.Ordinal);
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

    /// <summary>A training run as run.sh records it: its JSON and the trainer's metrics.csv, two epochs.</summary>
    private static void WriteRun(ResultFolder folder, string precision, int seed, int exitCode, double testAccuracy, double imagesPerSecond)
    {
        folder.Write($"training-{precision}-{seed}.json", new TrainingRun($"NetGen.Examples train --device cuda --data embedded --precision {precision} --seed {seed}", precision, seed, seed != 1, 12.5, exitCode));
        File.WriteAllLines(folder.File($"training-{precision}-{seed}.csv"), new[]
        {
            "epoch,train_loss,train_accuracy,validation_accuracy,test_accuracy,images_per_second,seconds,resident_mb",
            FormattableString.Invariant($"1,0.9,0.7,0.7,0.7,{imagesPerSecond * 0.9},1.0,900"),
            FormattableString.Invariant($"2,0.5,0.8,0.8,{testAccuracy},{imagesPerSecond * 1.1},1.0,900"),
        });
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
