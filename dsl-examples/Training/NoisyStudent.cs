using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>noisy-student</c>: Noisy Student self-training (Xie, Luong, Hovy &amp; Le, CVPR 2020) with generated networks. A
/// teacher learns the labeled fraction of the training split. Un-noised (evaluation mode, no augmentation), it gives
/// every unlabeled image its class probabilities; images below a confidence threshold are dropped and the rest are
/// balanced over the classes. A student at least as large, noised by RandAugment, flips, dropout and stochastic depth,
/// learns the labeled and pseudo-labeled images together and becomes the next teacher.
/// </summary>
public static class NoisyStudent
{
    public static int Run(TrainOptions options)
    {
        Train(options);
        return 0;
    }

    /// <summary>Runs the iterations; the results are the teacher (supervised only) and each student in turn.</summary>
    public static IReadOnlyList<ModelResult> Train(TrainOptions options)
    {
        var clock = Stopwatch.StartNew();
        using var run = SemiSupervisedRun.Start(options);
        var (trainer, data, split) = (run.Trainer, run.Data, run.Split);
        var noise = new RandAugment(options.NoiseOps, options.NoiseMagnitude);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "teacher {0} for {1} epochs; {2} iterations of student {3} for {4} epochs with RandAugment ({5} ops, magnitude {6}), {7} pseudo-labels of confidence >= {8}, balanced over the classes",
            options.Network, options.TeacherEpochs, options.Iterations, options.Student, options.Epochs, noise.Ops, noise.Magnitude,
            options.HardLabels ? "hard" : "soft", options.Threshold));

        var results = new List<ModelResult>();
        var teacher = trainer.Prepare(Trainer.CreateNetwork(options.Network));
        var stage = Stage.TrainSupervised(trainer, options, Path.Combine(options.Output, "teacher"), "teacher", teacher, split.LabeledImages, split.LabeledTargets,
            options.TeacherEpochs, options.LearningRate, data);
        var seconds = stage.Seconds;
        results.Add(Stage.Report(trainer, data, "teacher", teacher, stage.Last("validation_accuracy"), seconds));
        for (var iteration = 1; iteration <= options.Iterations; iteration++)
        {
            using var scope = NewDisposeScope();
            var labelClock = Stopwatch.StartNew();
            var pseudo = PseudoLabels.Select(trainer.Predict(teacher, split.UnlabeledImages, 512), options.Threshold, options.HardLabels);
            seconds += labelClock.Elapsed.TotalSeconds;
            Describe(iteration, pseudo, split);
            var images = cat(new[] { split.LabeledImages, split.UnlabeledImages.index_select(0, pseudo.Index) }, 0);
            var targets = cat(new[] { split.LabeledTargets, pseudo.Targets }, 0);
            Trainer.SeedNetwork(options.Seed, iteration);
            var student = trainer.Prepare(Trainer.CreateNetwork(options.Student));
            stage = Stage.TrainSupervised(trainer, options, Path.Combine(options.Output, $"student-{iteration}"), $"student {iteration}", student, images, targets,
                options.Epochs, options.LearningRate, data, (batch, generator) => noise.Apply(Trainer.Flip(batch, generator), generator));
            seconds += stage.Seconds;
            results.Add(Stage.Report(trainer, data, $"student {iteration}", student, stage.Last("validation_accuracy"), seconds));
            teacher.Dispose();
            teacher = student;
        }

        teacher.Dispose();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:0.0} minutes in all; checkpoints, metrics.csv and curves.png of each model in {1}",
            clock.Elapsed.TotalMinutes, Path.GetFullPath(options.Output)));
        return results;
    }

    /// <summary>One line on the pseudo-labels: how many images passed, how many rows a class, how often the hidden true label agrees.</summary>
    private static void Describe(int iteration, PseudoLabels pseudo, LabeledSplit split)
    {
        var predicted = pseudo.Targets.argmax(1);
        var truth = split.HiddenLabels.index_select(0, pseudo.Index);
        var right = pseudo.Index.shape[0] == 0 ? 0 : predicted.eq(truth).to(ScalarType.Float32).mean().item<float>();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "iteration {0}: the teacher is confident on {1:#,0} of {2:#,0} unlabeled images; {3:#,0} rows a class ({4:#,0} in all); {5:0.0}% of them carry the true label (measured with the hidden labels, not used for training)",
            iteration, pseudo.Confident, split.UnlabeledImages.shape[0], pseudo.PerClass.Max(), pseudo.Index.shape[0], right * 100));
    }
}
