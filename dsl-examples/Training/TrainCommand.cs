using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>train</c>: trains a generated network on Fashion-MNIST, with validation and test accuracy after every
/// epoch, a checkpoint every epoch (TorchSharp and PyTorch formats) that <c>--resume</c> continues from
/// exactly, loss/accuracy curves (PNG and CSV), and the confusion matrix of the test split at the end.
/// </summary>
public static class TrainCommand
{
    /// <summary>One row of the history: what an epoch measured (a checkpoint written before test accuracy was measured reads NaN).</summary>
    public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationAccuracy, double ImagesPerSecond, double Seconds, double ResidentMegabytes, double TestAccuracy = double.NaN);

    /// <summary>A checkpoint's state.json: the last epoch, the history, and the schedule (null in checkpoints written before it was recorded).</summary>
    private sealed record State(int Epoch, List<EpochRecord> History, Schedule? Schedule = null);

    public static int Run(TrainOptions options)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(options.Seed);
        var device = Trainer.ChooseDevice(options.Device);
        using var data = options.LoadData();
        Console.WriteLine($"data: {data.Source}");
        var trainer = new Trainer(device, options.MixedPrecision);
        using var network = trainer.Prepare(Trainer.CreateNetwork(options.Network));
        Console.WriteLine($"network: {options.Network}, {network.ParameterCount():#,0} parameters, on {device.type}, {trainer.Precision}; {options.Epochs} epochs of batch {options.BatchSize}, lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {options.Seed}");

        if (!Charts.CanDrawText)
        {
            Console.WriteLine("note: no font under /usr/share/fonts, so curves.png will have no text (Debian: apt-get install fonts-dejavu-core)");
        }

        var optimizer = Trainer.CreateOptimizer(network, options.LearningRate);
        Directory.CreateDirectory(options.Output);
        var schedule = new Schedule(options.Epochs, options.LearningRate, options.BatchSize, data.Train.Count);
        var history = new List<EpochRecord>();
        var start = 1;
        if (options.Resume)
        {
            var state = Checkpoint.Load<State>(options.Output, Parts(network, optimizer), s => s.Schedule, schedule, options.AllowScheduleChange);
            if (state is null)
            {
                Console.WriteLine($"no checkpoint in {options.Output}; starting from scratch");
            }
            else
            {
                history = state.History;
                start = state.Epoch + 1;
                Console.WriteLine($"resumed after epoch {state.Epoch} from {options.Output}");
            }
        }

        var targets = Trainer.OneHot(data.Train.Labels);
        var batches = (data.Train.Count + options.BatchSize - 1) / options.BatchSize;
        var title = $"{network.GetType().Name} on Fashion-MNIST ({data.Train.Count:#,0} train / {data.Validation.Count:#,0} validation / {data.Test.Count:#,0} test images)";
        long[,]? confusion = null;
        for (var epoch = start; epoch <= options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var result = trainer.TrainEpoch(network, optimizer, data.Train.Images, targets, options.BatchSize, options.Seed, epoch, options.LearningRate,
                (long)batches * options.Epochs, new Progress($"epoch {epoch}/{options.Epochs}"));
            var (validation, _) = trainer.Evaluate(network, data.Validation, 512);
            var (test, testConfusion) = trainer.Evaluate(network, data.Test, 512);
            confusion = testConfusion;
            var record = new EpochRecord(epoch, result.Loss, result.Accuracy, validation, result.ImagesPerSecond, epochClock.Elapsed.TotalSeconds, ResidentMegabytes(), test);
            history.Add(record);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "epoch {0}: train loss {1:0.0000}, train acc {2:0.00}%, validation acc {3:0.00}%, test acc {4:0.00}%, {5:0.0} s, resident memory {6:#,0} MB",
                epoch, record.TrainLoss, record.TrainAccuracy * 100, record.ValidationAccuracy * 100, record.TestAccuracy * 100, record.Seconds, record.ResidentMegabytes));
            Checkpoint.Save(options.Output, Parts(network, optimizer), new State(epoch, history, schedule));
            WriteCurves(options.Output, title, history);
        }

        // A run that resumed with no epoch left to train measures the test split once here.
        var testAccuracy = history.LastOrDefault()?.TestAccuracy ?? double.NaN;
        if (confusion is null)
        {
            (testAccuracy, confusion) = trainer.Evaluate(network, data.Test, 512);
        }

        Console.WriteLine();
        PrintConfusion(confusion);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "test accuracy {0:0.00}% ({1:#,0} images); validation {2:0.00}%; {3:0.0} minutes in all",
            testAccuracy * 100, data.Test.Count, (history.LastOrDefault()?.ValidationAccuracy ?? 0) * 100, clock.Elapsed.TotalMinutes));
        Console.WriteLine($"checkpoints, metrics.csv and curves.png in {Path.GetFullPath(options.Output)}");
        return 0;
    }

    /// <summary>Resident memory of the process, native allocations included, after a full GC.</summary>
    public static double ResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>The checkpoint's files: checkpoint.dat, checkpoint.pt and optimizer.dat.</summary>
    private static CheckpointPart[] Parts(nn.Module<Tensor, Tensor> network, TorchSharp.Modules.SGD optimizer) =>
        new[] { new CheckpointPart("checkpoint", "optimizer", network, optimizer) };

    /// <summary>Writes metrics.csv (one row an epoch) and curves.png (loss above, accuracy in % below, epochs across).</summary>
    public static void WriteCurves(string folder, string title, IReadOnlyList<EpochRecord> history)
    {
        Charts.WriteCsv(
            Path.Combine(folder, "metrics.csv"),
            new[] { "epoch", "train_loss", "train_accuracy", "validation_accuracy", "test_accuracy", "images_per_second", "seconds", "resident_mb" },
            history.Select(r => new[] { r.Epoch, r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy, r.TestAccuracy, r.ImagesPerSecond, r.Seconds, r.ResidentMegabytes }).ToList());
        Charts.WritePng(
            Path.Combine(folder, "curves.png"),
            title,
            "epoch",
            new[]
            {
                new ChartPanel("loss (cross-entropy)", new[] { new ChartSeries("train loss", history.Select(r => r.TrainLoss).ToList()) }),
                new ChartPanel("accuracy (%)", new[]
                {
                    new ChartSeries("train", history.Select(r => r.TrainAccuracy * 100).ToList()),
                    new ChartSeries("validation", history.Select(r => r.ValidationAccuracy * 100).ToList()),
                    new ChartSeries("test", history.Select(r => r.TestAccuracy * 100).ToList()),
                }),
            });
    }

    public static void PrintConfusion(long[,] confusion)
    {
        Console.WriteLine("confusion matrix (rows: true class, columns: predicted)");
        Console.WriteLine("              " + string.Join(" ", Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture).PadLeft(5))));
        for (var i = 0; i < 10; i++)
        {
            var row = Enumerable.Range(0, 10).Select(j => confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(5));
            Console.WriteLine($"{i} {FashionMnist.ClassNames[i],-11} " + string.Join(" ", row));
        }
    }
}
