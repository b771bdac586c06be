using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>noisy-student</c>: Noisy Student self-training (Xie, Luong, Hovy & Le, CVPR 2020) with generated
/// networks. A teacher learns a labeled fraction of the training split; it labels the rest with soft
/// pseudo-labels (no noise); a student that is noised (dropout, stochastic depth, random crops and
/// flips) learns labeled and pseudo-labeled data together; the student becomes the next teacher.
/// </summary>
public static class NoisyStudent
{
    public static int Run(TrainOptions options)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(options.Seed);
        var trainer = new Trainer(Trainer.ChooseDevice(options.Device), options.MixedPrecision);
        using var data = options.LoadData();
        var (labeledImages, labeledTargets, unlabeledImages) = SplitLabeled(data.Train, options.LabeledFraction, options.Seed);
        Console.WriteLine($"data: {data.Source}; {labeledImages.shape[0]:#,0} labeled and {unlabeledImages.shape[0]:#,0} unlabeled training images");

        var teacher = Train(trainer, options.Network, labeledImages, labeledTargets, options, "teacher 0");
        var (teacherAccuracy, _) = trainer.Evaluate(teacher, data.Test, 512);
        Console.WriteLine(Line("teacher 0", options.Network, teacherAccuracy));
        for (var iteration = 1; iteration <= options.Iterations; iteration++)
        {
            // Soft pseudo-labels from the un-noised teacher (evaluation mode, no augmentation).
            using var scope = NewDisposeScope();
            var pseudo = trainer.Predict(teacher, unlabeledImages, 512);
            var images = cat(new[] { labeledImages, unlabeledImages }, 0);
            var targets = cat(new[] { labeledTargets, pseudo }, 0);
            var student = Train(trainer, options.Student, images, targets, options, $"student {iteration}");
            var (studentAccuracy, _) = trainer.Evaluate(student, data.Test, 512);
            Console.WriteLine(Line($"iteration {iteration}: teacher", "", teacherAccuracy) + "  ->  " + Line("student", options.Student, studentAccuracy));
            teacher.Dispose();
            teacher = student;
            teacherAccuracy = studentAccuracy;
        }

        teacher.Dispose();
        Console.WriteLine($"{clock.Elapsed.TotalMinutes:0.0} minutes in all");
        return 0;
    }

    private static string Line(string who, string network, double accuracy) =>
        string.Format(CultureInfo.InvariantCulture, "{0}{1} test accuracy {2:0.00}%", who, network.Length == 0 ? string.Empty : $" ({network})", accuracy * 100);

    /// <summary>The first fraction of a seeded shuffle keeps its labels; the rest is unlabeled.</summary>
    public static (Tensor LabeledImages, Tensor LabeledTargets, Tensor UnlabeledImages) SplitLabeled(Split train, double fraction, int seed)
    {
        var order = randperm(train.Count, generator: new torch.Generator((ulong)seed));
        var labeledCount = Math.Max(1, (long)Math.Round(train.Count * fraction));
        var labeled = order.narrow(0, 0, labeledCount);
        var unlabeled = order.narrow(0, labeledCount, train.Count - labeledCount);
        return (train.Images.index_select(0, labeled), Trainer.OneHot(train.Labels.index_select(0, labeled)), train.Images.index_select(0, unlabeled));
    }

    private static nn.Module<Tensor, Tensor> Train(Trainer trainer, string network, Tensor images, Tensor targets, TrainOptions options, string label)
    {
        var model = trainer.Prepare(Trainer.CreateNetwork(network));
        var optimizer = Trainer.CreateOptimizer(model, options.LearningRate);
        var batches = (images.shape[0] + options.BatchSize - 1) / options.BatchSize;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            trainer.TrainEpoch(model, optimizer, images, targets, options.BatchSize, options.Seed, epoch, options.LearningRate,
                batches * options.Epochs, new Progress($"{label} epoch {epoch}/{options.Epochs}"));
        }

        return model;
    }
}
