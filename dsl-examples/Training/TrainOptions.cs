using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// Options of the <c>train</c>, <c>noisy-student</c>, <c>meta-pseudo-labels</c> and <c>compare-semi-supervised</c> commands, as the trainers consume them. <see cref="CommandLine"/>
/// lists their command-line options: an option is a property here and one line there.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>The devices <c>--device</c> accepts.</summary>
    public static readonly string[] Devices = { "auto", "cpu", "cuda" };

    /// <summary>The precisions <c>--precision</c> accepts.</summary>
    public static readonly string[] Precisions = { "fp32", "bf16", "fp16" };

    /// <summary>A generated network's name, or a DSL file (<c>FILE.net.txt</c> or <c>FILE.net.txt#Class</c>).</summary>
    public string Network { get; init; } = "TinyResNet";

    /// <summary>A folder of the four IDX files, "embedded", or none: the system folder if present, else the embedded set.</summary>
    public string? DataFolder { get; init; }

    /// <summary>auto (CUDA when TorchSharp reports it), cpu or cuda.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Epochs to train: each student's for noisy-student, the joint training's for meta-pseudo-labels.</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>Images a batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The learning rate at the start of the cosine schedule.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>The seed of the data split, the initialization and the shuffles.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The folder for checkpoints and curves.</summary>
    public string Output { get; init; } = "runs/train";

    /// <summary>Continue after the last checkpoint in <see cref="Output"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>fp32, or mixed precision: bf16 or fp16 autocast (fp16 with loss scaling).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>Weights and inputs in channels-last memory.</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>The precision and memory format the options ask for.</summary>
    public MixedPrecision MixedPrecision => new(Precision switch
    {
        "bf16" => ScalarType.BFloat16,
        "fp16" => ScalarType.Float16,
        _ => null,
    }, ChannelsLast);

    /// <summary>Lets <c>--resume</c> continue a checkpoint whose learning-rate schedule (epochs, rate, batch size, training images) differs from this run's.</summary>
    public bool AllowScheduleChange { get; init; }

    /// <summary>Keep only this many images of each split (quick runs and tests).</summary>
    public int? Limit { get; init; }

    /// <summary>Semi-supervised: the labeled fraction of the training split.</summary>
    public double LabeledFraction { get; init; } = 0.1;

    /// <summary>Semi-supervised: the student network.</summary>
    public string Student { get; init; } = "TinyResNet";

    /// <summary>Semi-supervised: RandAugment operations an image of the student's (and UDA's strong view).</summary>
    public int NoiseOps { get; init; } = 2;

    /// <summary>Semi-supervised: RandAugment's magnitude, 0 to <see cref="RandAugment.MaxMagnitude"/>.</summary>
    public int NoiseMagnitude { get; init; } = 2;

    /// <summary>Noisy Student: teacher/student iterations.</summary>
    public int Iterations { get; init; } = 2;

    /// <summary>Epochs of the first teacher on the labeled images (<see cref="Epochs"/> is each student's, or the joint training's); 0 for none, in meta-pseudo-labels.</summary>
    public int TeacherEpochs { get; init; } = 30;

    /// <summary>Noisy Student: the teacher's lowest confidence for an unlabeled image to be kept.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Noisy Student: one-hot pseudo-labels instead of the teacher's probabilities.</summary>
    public bool HardLabels { get; init; }

    /// <summary>Meta Pseudo Labels: unlabeled images a step for each labeled one.</summary>
    public int UnlabeledRatio { get; init; } = 4;

    /// <summary>Meta Pseudo Labels: the weight of UDA's consistency loss in the teacher's.</summary>
    public double UdaWeight { get; init; } = 1;

    /// <summary>Meta Pseudo Labels: the temperature that sharpens the teacher's distribution on weak views.</summary>
    public double Temperature { get; init; } = 0.7;

    /// <summary>Meta Pseudo Labels: the lowest sharpened confidence at which UDA's consistency counts an image.</summary>
    public double UdaThreshold { get; init; } = 0.9;

    /// <summary>Meta Pseudo Labels: epochs of fine-tuning the student on the labeled images.</summary>
    public int FinetuneEpochs { get; init; } = 10;

    /// <summary>Meta Pseudo Labels: the fine-tuning's learning rate at the start of its cosine schedule.</summary>
    public double FinetuneLearningRate { get; init; } = 0.01;

    /// <summary>Comparison: the seeds 1 to N.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary><c>noisy-student</c>'s defaults, where they differ from <c>train</c>'s.</summary>
    public static TrainOptions NoisyStudentDefaults => new() { Epochs = 10, Limit = SemiSupervisedLimit, Output = "runs/noisy-student" };

    /// <summary><c>meta-pseudo-labels</c>' defaults, where they differ from <c>train</c>'s.</summary>
    public static TrainOptions MetaPseudoLabelsDefaults => new() { Epochs = 4, BatchSize = 32, LearningRate = 0.05, NoiseMagnitude = 5, Limit = SemiSupervisedLimit, Output = "runs/meta-pseudo-labels" };

    /// <summary><c>compare-semi-supervised</c>'s defaults: the output folder; each method runs with its own defaults.</summary>
    public static TrainOptions ComparisonDefaults => new() { Limit = SemiSupervisedLimit, Output = "runs/compare-semi-supervised" };

    /// <summary>
    /// The semi-supervised commands' default <see cref="Limit"/>: 20,000 training images (the first of the seeded shuffle),
    /// all 5,000 validation and 10,000 test images, so that each runs in under 20 minutes on 2 CPU cores; the embedded set
    /// is smaller.
    /// </summary>
    public const int SemiSupervisedLimit = 20_000;

    /// <summary>The data the options name: a folder, "embedded", or (none) the system folder if present, else the embedded set.</summary>
    public DataSet LoadData() => string.Equals(DataFolder, "embedded", StringComparison.OrdinalIgnoreCase)
        ? FashionMnist.LoadEmbedded(Seed, Limit)
        : FashionMnist.Load(DataFolder, Seed, Limit);

    /// <summary>
    /// The command-line options of a <paramref name="kind"/> of training, each bound to the property it sets; help shows
    /// <paramref name="defaults"/>. Invalid values are parse errors.
    /// </summary>
    public static TrainOptionSet CommandLine(TrainOptions defaults, TrainingKind kind)
    {
        var options = new TrainOptionSet(defaults);
        var single = kind != TrainingKind.Comparison;
        var semiSupervised = kind != TrainingKind.Train;
        var teacher = semiSupervised ? "the teacher: " : string.Empty;
        if (single)
        {
            options.Add(Text("--network", "NAME|FILE.net.txt[#Class]", teacher + "a generated network for 1x28x28 images and 10 classes, or a DSL file compiled at run time"), o => o.Network, (o, v) => o with { Network = v });
        }

        options
            .Add(OptionalText("--data", "DIR|embedded", "a folder of Fashion-MNIST's IDX files, or the test set embedded in the program [default: the Debian package's folder if present, else embedded]"), o => o.DataFolder, (o, v) => o with { DataFolder = v })
            .Add(DeviceOption(), o => o.Device, (o, v) => o with { Device = v });
        if (single)
        {
            options
                .Add(Choice("--precision", Precisions, "fp32, or mixed precision with autocast: bf16, or fp16 with loss scaling"), o => o.Precision, (o, v) => o with { Precision = v })
                .Add(new Option<bool>("--channels-last") { Description = "weights and inputs in channels-last (NHWC) memory" }, o => o.ChannelsLast, (o, v) => o with { ChannelsLast = v })
                .Add(PositiveInteger("--epochs", kind switch
                {
                    TrainingKind.NoisyStudent => "epochs of each student",
                    TrainingKind.MetaPseudoLabels => "epochs (passes over the unlabeled images) of joint training",
                    _ => "epochs to train",
                }), o => o.Epochs, (o, v) => o with { Epochs = v })
                .Add(PositiveInteger("--batch-size", kind == TrainingKind.MetaPseudoLabels ? "labeled images a step" : "images a batch"), o => o.BatchSize, (o, v) => o with { BatchSize = v })
                .Add(PositiveNumber("--lr", "learning rate at the start of the cosine schedule (SGD, Nesterov momentum)"), o => o.LearningRate, (o, v) => o with { LearningRate = v })
                .Add(PositiveInteger("--seed", "seed of the split, initialization and shuffles (CPU runs are reproducible)"), o => o.Seed, (o, v) => o with { Seed = v });
        }

        options
            .Add(Text("--output", "DIR", "folder for checkpoints, metrics.csv and curves"), o => o.Output, (o, v) => o with { Output = v })
            .Add(new Option<bool>("--resume") { Description = "continue after the last checkpoint in the output folder" }, o => o.Resume, (o, v) => o with { Resume = v })
            .Add(new Option<bool>("--allow-schedule-change") { Description = "let --resume continue a checkpoint trained on another learning-rate schedule (epochs, --lr, batch size, images)" }, o => o.AllowScheduleChange, (o, v) => o with { AllowScheduleChange = v })
            .Add(OptionalPositiveInteger("--limit", semiSupervised ? "keep only the first N images of each split (60000 keeps them all)" : "keep only N images of each split (quick runs)"), o => o.Limit, (o, v) => o with { Limit = v });
        if (semiSupervised)
        {
            options.Add(Fraction("--labeled", "fraction of the training split that keeps its labels"), o => o.LabeledFraction, (o, v) => o with { LabeledFraction = v });
        }

        if (kind is TrainingKind.NoisyStudent or TrainingKind.MetaPseudoLabels)
        {
            options
                .Add(Text("--student", "NAME|FILE.net.txt[#Class]", "the student network"), o => o.Student, (o, v) => o with { Student = v })
                .Add(Integer("--noise-ops", 0, 10, "RandAugment operations an image of the student's"), o => o.NoiseOps, (o, v) => o with { NoiseOps = v })
                .Add(Integer("--noise-magnitude", 0, RandAugment.MaxMagnitude, "RandAugment's magnitude"), o => o.NoiseMagnitude, (o, v) => o with { NoiseMagnitude = v })
                .Add(kind == TrainingKind.NoisyStudent
                    ? PositiveInteger("--teacher-epochs", "epochs of the first teacher on the labeled images")
                    : Integer("--teacher-epochs", 0, 100_000, "epochs of the teacher on the labeled images before joint training; 0 trains it from scratch jointly, as the paper does"), o => o.TeacherEpochs, (o, v) => o with { TeacherEpochs = v });
        }

        if (kind == TrainingKind.NoisyStudent)
        {
            options
                .Add(PositiveInteger("--iterations", "teacher/student iterations"), o => o.Iterations, (o, v) => o with { Iterations = v })
                .Add(Fraction("--threshold", "the teacher's lowest confidence for an unlabeled image to be kept"), o => o.Threshold, (o, v) => o with { Threshold = v })
                .Add(new Option<bool>("--hard-labels") { Description = "one-hot pseudo-labels instead of the teacher's probabilities" }, o => o.HardLabels, (o, v) => o with { HardLabels = v });
        }

        if (kind == TrainingKind.MetaPseudoLabels)
        {
            options
                .Add(PositiveInteger("--unlabeled-ratio", "unlabeled images a step for each labeled one"), o => o.UnlabeledRatio, (o, v) => o with { UnlabeledRatio = v })
                .Add(PositiveNumber("--uda-weight", "weight of UDA's consistency loss in the teacher's"), o => o.UdaWeight, (o, v) => o with { UdaWeight = v })
                .Add(PositiveNumber("--temperature", "temperature that sharpens the teacher's distribution"), o => o.Temperature, (o, v) => o with { Temperature = v })
                .Add(Fraction("--uda-threshold", "lowest sharpened confidence at which UDA's consistency counts an image"), o => o.UdaThreshold, (o, v) => o with { UdaThreshold = v })
                .Add(PositiveInteger("--finetune-epochs", "epochs of fine-tuning the student on the labeled images"), o => o.FinetuneEpochs, (o, v) => o with { FinetuneEpochs = v })
                .Add(PositiveNumber("--finetune-lr", "fine-tuning's learning rate at the start of its cosine schedule"), o => o.FinetuneLearningRate, (o, v) => o with { FinetuneLearningRate = v });
        }

        if (kind == TrainingKind.Comparison)
        {
            options.Add(PositiveInteger("--seeds", "run every method with seeds 1 to N"), o => o.Seeds, (o, v) => o with { Seeds = v });
        }

        return options;
    }

    private static Option<string> Text(string name, string valueName, string description) =>
        new(name) { HelpName = valueName, Description = description };

    private static Option<string?> OptionalText(string name, string valueName, string description) =>
        new(name) { HelpName = valueName, Description = description };

    private static Option<string> DeviceOption() => Choice("--device", Devices, "auto picks CUDA when TorchSharp reports it");

    /// <summary>An option whose value is one of <paramref name="values"/>, which completions offer.</summary>
    private static Option<string> Choice(string name, string[] values, string description)
    {
        var option = new Option<string>(name) { HelpName = string.Join('|', values), Description = description };
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (Array.IndexOf(values, value) < 0)
            {
                result.AddError($"{name} is {string.Join(", ", values[..^1])} or {values[^1]}, not '{value}'.");
            }
        });
        return option;
    }

    private static Option<int> PositiveInteger(string name, string description) =>
        new(name) { HelpName = "N", Description = description, CustomParser = result => ParsePositiveInteger(result) ?? 0 };

    /// <summary>A positive integer option that is unset (null) when not given.</summary>
    private static Option<int?> OptionalPositiveInteger(string name, string description) =>
        new(name) { HelpName = "N", Description = description, CustomParser = ParsePositiveInteger };

    /// <summary>An integer option between <paramref name="min"/> and <paramref name="max"/> inclusive.</summary>
    private static Option<int> Integer(string name, int min, int max, string description) =>
        new(name) { HelpName = "N", Description = $"{description} ({min} to {max})", CustomParser = result => ParseInteger(result, min, max) ?? 0 };

    private static Option<double> PositiveNumber(string name, string description) =>
        new(name) { HelpName = "X", Description = description, CustomParser = result => ParseNumber(result, below1: false) };

    private static Option<double> Fraction(string name, string description) =>
        new(name) { HelpName = "F", Description = description, CustomParser = result => ParseNumber(result, below1: true) };

    private static int? ParsePositiveInteger(ArgumentResult result) => ParseInteger(result, 1, int.MaxValue);

    private static int? ParseInteger(ArgumentResult result, int min, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError(min == 1 && max == int.MaxValue
            ? $"{OptionName(result)} needs a positive integer, not '{text}'."
            : $"{OptionName(result)} needs an integer from {min} to {max}, not '{text}'.");
        return null;
    }

    private static double ParseNumber(ArgumentResult result, bool below1)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value) && (!below1 || value < 1))
        {
            return value;
        }

        result.AddError(below1 ? $"{OptionName(result)} needs a fraction between 0 and 1, not '{text}'." : $"{OptionName(result)} needs a positive number, not '{text}'.");
        return 0;
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "the value";
}

/// <summary>Which command's options <see cref="TrainOptions.CommandLine"/> makes.</summary>
public enum TrainingKind
{
    Train,
    NoisyStudent,
    MetaPseudoLabels,
    Comparison,
}

/// <summary>Command-line options, each bound to the <see cref="TrainOptions"/> property it sets.</summary>
public sealed class TrainOptionSet
{
    private readonly TrainOptions _defaults;
    private readonly List<Option> _options = new();
    private readonly List<Func<ParseResult, TrainOptions, TrainOptions>> _bindings = new();

    /// <summary>A set whose options default to <paramref name="defaults"/>' values.</summary>
    public TrainOptionSet(TrainOptions defaults) => _defaults = defaults;

    /// <summary>The options, in the order help lists them.</summary>
    public IReadOnlyList<Option> Options => _options;

    /// <summary>Adds <paramref name="option"/>, defaulting to <paramref name="get"/> of the defaults and bound by <paramref name="set"/>.</summary>
    public TrainOptionSet Add<T>(Option<T> option, Func<TrainOptions, T> get, Func<TrainOptions, T, TrainOptions> set)
    {
        var fallback = get(_defaults);
        if (fallback is not (null or false))
        {
            option.DefaultValueFactory = _ => fallback;
        }

        _options.Add(option);
        _bindings.Add((result, options) => set(options, result.GetValue(option)!));
        return this;
    }

    /// <summary>The options a parse gave, over the defaults.</summary>
    public TrainOptions Bind(ParseResult result)
    {
        var options = _defaults;
        foreach (var bind in _bindings)
        {
            options = bind(result, options);
        }

        return options;
    }
}
