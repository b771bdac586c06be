using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Examples.Training;

/// <summary>Options of the <c>train</c> and <c>noisy-student</c> commands.</summary>
public sealed record TrainOptions
{
    public string Network { get; init; } = "TinyResNet";

    public string? DataFolder { get; init; }

    public string Device { get; init; } = "auto";

    public int Epochs { get; init; } = 8;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 0.1;

    public int Seed { get; init; } = 1;

    public string Output { get; init; } = "runs/train";

    public bool Resume { get; init; }

    /// <summary>Lets <c>--resume</c> continue a checkpoint whose learning-rate schedule (epochs, rate, batch size, training images) differs from this run's.</summary>
    public bool AllowScheduleChange { get; init; }

    /// <summary>Keep only this many images of each split (quick runs and tests).</summary>
    public int? Limit { get; init; }

    /// <summary>Noisy Student: teacher/student iterations and the labeled fraction of the training split.</summary>
    public int Iterations { get; init; } = 2;

    public double LabeledFraction { get; init; } = 0.1;

    public string Student { get; init; } = "TinyResNetNoisy";

    /// <summary>The data the options name: a folder, "embedded", or (none) the system folder if present, else the embedded set.</summary>
    public DataSet LoadData() => string.Equals(DataFolder, "embedded", StringComparison.OrdinalIgnoreCase)
        ? FashionMnist.LoadEmbedded(Seed, Limit)
        : FashionMnist.Load(DataFolder, Seed, Limit);

    public string Usage => "options: --network NAME|FILE.net.txt[#Class] --data DIR|embedded --device auto|cpu|cuda --epochs N --batch-size N --lr X --seed N --output DIR --resume --limit N"
        + " (noisy-student: --iterations K --labeled F --student NAME)";

    /// <summary>Parses <c>--name value</c> pairs; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static TrainOptions Parse(IReadOnlyList<string> args, TrainOptions defaults)
    {
        var options = defaults;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive integer");
            double Number() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 ? x : throw new ArgumentException($"{args[i - 1]} needs a positive number");
            options = args[i] switch
            {
                "--network" => options with { Network = Value() },
                "--data" => options with { DataFolder = Value() },
                "--device" => options with { Device = Value() },
                "--epochs" => options with { Epochs = Int() },
                "--batch-size" => options with { BatchSize = Int() },
                "--lr" => options with { LearningRate = Number() },
                "--seed" => options with { Seed = Int() },
                "--output" => options with { Output = Value() },
                "--resume" => options with { Resume = true },
                "--allow-schedule-change" => options with { AllowScheduleChange = true },
                "--limit" => options with { Limit = Int() },
                "--iterations" => options with { Iterations = Int() },
                "--labeled" => options with { LabeledFraction = Number() },
                "--student" => options with { Student = Value() },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }

        if (options.Device is not ("auto" or "cpu" or "cuda"))
        {
            throw new ArgumentException($"--device must be auto, cpu or cuda, not '{options.Device}'");
        }

        if (options.LabeledFraction >= 1)
        {
            throw new ArgumentException("--labeled must be a fraction below 1");
        }

        return options;
    }
}
