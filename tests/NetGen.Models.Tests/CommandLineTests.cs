using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using NetGen.Examples;
using NetGen.Examples.Training;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>
/// The demo's command line (System.CommandLine), run in process through <see cref="Cli.Run(string[], TextWriter, TextWriter)"/>:
/// help on every command runs nothing, wrong calls exit 2 with one line that says what is wrong (and what was
/// probably meant), and the training options bind into <see cref="TrainOptions"/> with each command's defaults.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--json", "--help")]
    public void Help_at_the_root_lists_the_commands_and_prints_no_summary(params string[] args)
    {
        var (exitCode, output, error) = Run(args);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Usage:\n  dsl-examples [command] [options]", output);
        Assert.All(new[] { "summary", "keys <NETWORK>", "train", "noisy-student", "meta-pseudo-labels", "compare-semi-supervised", "platform", "--json", "--verify", "--version" }, word => Assert.Contains(word, output));
        Assert.DoesNotContain("canary", output);
        Assert.DoesNotContain("Model (paper)", output);
    }

    [Theory]
    [InlineData("summary", "--json --verify")]
    [InlineData("keys", "<NETWORK>")]
    [InlineData("train", "--network --data --device --precision --channels-last --epochs --batch-size --lr --seed --output --resume --allow-schedule-change --limit")]
    [InlineData("noisy-student", "--network --epochs --iterations --labeled --student --teacher-epochs --threshold --hard-labels --noise-ops --noise-magnitude")]
    [InlineData("meta-pseudo-labels", "--network --student --epochs --batch-size --labeled --unlabeled-ratio --uda-weight --temperature --uda-threshold --finetune-epochs --finetune-lr --resume")]
    [InlineData("compare-semi-supervised", "--seeds --data --labeled --limit --output --resume")]
    [InlineData("platform", "--check")]
    public void Help_on_a_command_prints_its_usage_and_options_and_runs_nothing(string command, string options)
    {
        var output = Path.Combine(_folder, "run");

        // Arguments the command would act on, before --help: none of them may run.
        var (exitCode, text, error) = command switch
        {
            "keys" => Run(command, "ResNet50", "--help"),
            "train" or "noisy-student" or "meta-pseudo-labels" => Run(command, "--output", output, "--epochs", "1", "--help"),
            "compare-semi-supervised" => Run(command, "--output", output, "--seeds", "1", "--help"),
            _ => Run(command, "--help"),
        };

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains($"Usage:\n  dsl-examples {command}", text);
        Assert.All(options.Split(' '), option => Assert.Contains(option, text));
        Assert.DoesNotContain("Model (paper)", text);
        Assert.DoesNotContain("conv1.weight", text);
        Assert.DoesNotContain("CPU:", text);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Help_shows_each_training_commands_own_defaults()
    {
        var train = Run("train", "--help").Output;
        var noisyStudent = Run("noisy-student", "--help").Output;

        Assert.Contains("[default: 8]", train);
        Assert.Contains("[default: runs/train]", train);
        Assert.DoesNotContain("--iterations", train);
        Assert.Contains("[default: 10]", noisyStudent);
        Assert.Contains("[default: 30]", noisyStudent);
        Assert.Contains("[default: runs/noisy-student]", noisyStudent);
        var metaPseudoLabels = Run("meta-pseudo-labels", "--help").Output;
        Assert.Contains("[default: runs/meta-pseudo-labels]", metaPseudoLabels);
        Assert.DoesNotContain("--iterations", metaPseudoLabels);
        var comparison = Run("compare-semi-supervised", "--help").Output;
        Assert.Contains("[default: 3]", comparison);
        Assert.DoesNotContain("--epochs", comparison);
    }

    [Fact]
    public void No_command_runs_the_summary()
    {
        var (exitCode, output, error) = Run();

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("The seed article's summary table", output);
        Assert.Equal(output, Run("summary").Output);
    }

    [Fact]
    public void Version_prints_the_version_and_exits_0()
    {
        var (exitCode, output, _) = Run("--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Theory]
    [InlineData("trian", "dsl-examples: Unrecognized command or argument 'trian'. Did you mean 'train'? See 'dsl-examples --help'.")]
    [InlineData("platfrom", "Did you mean 'platform'?")]
    [InlineData("--verfy", "Did you mean '--verify'?")]
    [InlineData("train --epoch 3", "dsl-examples train: Unrecognized command or argument '--epoch'.")]
    [InlineData("train --epoch 3", "Did you mean '--epochs'? See 'dsl-examples train --help'.")]
    [InlineData("keys Resnet5", "dsl-examples keys: No network 'Resnet5'; did you mean 'ResNet50'?")]
    [InlineData("train --epochs 0", "--epochs needs a positive integer, not '0'.")]
    [InlineData("train --batch-size many", "--batch-size needs a positive integer, not 'many'.")]
    [InlineData("train --limit -5", "--limit needs a positive integer, not '-5'.")]
    [InlineData("train --lr 0", "--lr needs a positive number, not '0'.")]
    [InlineData("train --lr NaN", "--lr needs a positive number, not 'NaN'.")]
    [InlineData("train --device gpu", "--device is auto, cpu or cuda, not 'gpu'.")]
    [InlineData("train --precision fp8", "--precision is fp32, bf16 or fp16, not 'fp8'.")]
    [InlineData("train --epochs", "Required argument missing for option: '--epochs'.")]
    [InlineData("train --iterations 3", "Unrecognized command or argument '--iterations'.")]
    [InlineData("noisy-student --labeled 1", "--labeled needs a fraction between 0 and 1, not '1'.")]
    [InlineData("noisy-student --labeled 0", "--labeled needs a fraction between 0 and 1, not '0'.")]
    [InlineData("noisy-student --noise-magnitude 11", "--noise-magnitude needs an integer from 0 to 10, not '11'.")]
    [InlineData("meta-pseudo-labels --uda-threshold 1.5", "--uda-threshold needs a fraction between 0 and 1, not '1.5'.")]
    [InlineData("platform --check extra", "Unrecognized command or argument 'extra'.")]
    [InlineData("platform canary nope", "Argument 'nope' not recognized. Must be one of: 'conv1x1' 'conv3x3' 'resnet50-step'")]
    public void A_typo_or_an_invalid_value_exits_2_with_one_line_that_says_what_is_wrong(string args, string expected)
    {
        var (exitCode, output, error) = Run(args.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Keys_without_a_network_exits_2_and_says_a_network_name_is_needed()
    {
        var (exitCode, output, error) = Run("keys");

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal("dsl-examples keys: Required argument 'NETWORK' missing for command: 'keys'. See 'dsl-examples keys --help'.\n", error);
    }

    [Fact]
    public void Training_options_bind_into_train_options_over_the_commands_defaults()
    {
        var args = "--network my.net.txt#Net --data embedded --device cpu --precision bf16 --channels-last --epochs 3 --batch-size 32 --lr 0.05 --seed 7 --output out --resume --limit 100";

        Assert.Equal(
            new TrainOptions { Network = "my.net.txt#Net", DataFolder = "embedded", Device = "cpu", Precision = "bf16", ChannelsLast = true, Epochs = 3, BatchSize = 32, LearningRate = 0.05, Seed = 7, Output = "out", Resume = true, Limit = 100 },
            Bind(new TrainOptions(), TrainingKind.Train, args));
        Assert.Equal(new TrainOptions(), Bind(new TrainOptions(), TrainingKind.Train, string.Empty));
        Assert.Equal(TrainOptions.NoisyStudentDefaults, Bind(TrainOptions.NoisyStudentDefaults, TrainingKind.NoisyStudent, string.Empty));
        Assert.Equal(
            TrainOptions.NoisyStudentDefaults with { Iterations = 3, LabeledFraction = 0.25, Student = "TinyResNetWide", Epochs = 12, TeacherEpochs = 20, Threshold = 0.7, HardLabels = true, NoiseOps = 3, NoiseMagnitude = 9 },
            Bind(TrainOptions.NoisyStudentDefaults, TrainingKind.NoisyStudent, "--iterations 3 --labeled 0.25 --student TinyResNetWide --epochs 12 --teacher-epochs 20 --threshold 0.7 --hard-labels --noise-ops 3 --noise-magnitude 9"));
        Assert.Equal(TrainOptions.MetaPseudoLabelsDefaults, Bind(TrainOptions.MetaPseudoLabelsDefaults, TrainingKind.MetaPseudoLabels, string.Empty));
        Assert.Equal(
            TrainOptions.MetaPseudoLabelsDefaults with { UnlabeledRatio = 7, UdaWeight = 8, Temperature = 0.5, UdaThreshold = 0.95, FinetuneEpochs = 3, FinetuneLearningRate = 0.001, NoiseMagnitude = 0 },
            Bind(TrainOptions.MetaPseudoLabelsDefaults, TrainingKind.MetaPseudoLabels, "--unlabeled-ratio 7 --uda-weight 8 --temperature 0.5 --uda-threshold 0.95 --finetune-epochs 3 --finetune-lr 0.001 --noise-magnitude 0"));
        Assert.Equal(
            TrainOptions.ComparisonDefaults with { Seeds = 5, DataFolder = "embedded", Limit = 500, LabeledFraction = 0.2 },
            Bind(TrainOptions.ComparisonDefaults, TrainingKind.Comparison, "--seeds 5 --data embedded --limit 500 --labeled 0.2"));
    }

    private static TrainOptions Bind(TrainOptions defaults, TrainingKind kind, string args)
    {
        var options = TrainOptions.CommandLine(defaults, kind);
        var command = new RootCommand();
        foreach (var option in options.Options)
        {
            command.Options.Add(option);
        }

        var result = command.Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(result.Errors);
        return options.Bind(result);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = Cli.Run(args, output, error);
        return (exitCode, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }
}
