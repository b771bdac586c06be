using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// <c>train</c>: trains a generated network on Fashion-MNIST, with validation after every epoch, a
/// checkpoint every epoch (TorchSharp and PyTorch formats) that <c>--resume</c> continues from exactly,
/// loss/accuracy curves (PNG and CSV), and test accuracy with a confusion matrix at the end.
/// </summary>
public static class TrainCommand
{
    /// <summary>One row of the history: what an epoch measured.</summary>
    public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationAccuracy, double ImagesPerSecond, double Seconds, double ResidentMegabytes);

    private sealed record State(int Epoch, List<EpochRecord> History);

    public static int Run(TrainOptions options)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(options.Seed);
        var device = Trainer.ChooseDevice(options.Device);
        using var data = options.LoadData();
        Console.WriteLine($"data: {data.Source}");
        using var network = Trainer.CreateNetwork(options.Network);
        network.to(device);
        Console.WriteLine($"network: {options.Network}, {network.ParameterCount():#,0} parameters, on {device.type}; {options.Epochs} epochs of batch {options.BatchSize}, lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {options.Seed}");

        var optimizer = Trainer.CreateOptimizer(network, options.LearningRate);
        Directory.CreateDirectory(options.Output);
        var history = new List<EpochRecord>();
        var start = 1;
        if (options.Resume)
        {
            var state = LoadCheckpoint(options.Output, network, optimizer);
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

        var trainer = new Trainer(device);
        var targets = Trainer.OneHot(data.Train.Labels);
        var batches = (data.Train.Count + options.BatchSize - 1) / options.BatchSize;
        for (var epoch = start; epoch <= options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var result = trainer.TrainEpoch(network, optimizer, data.Train.Images, targets, options.BatchSize, options.Seed, epoch, options.LearningRate,
                (long)batches * options.Epochs, new Progress($"epoch {epoch}/{options.Epochs}"));
            var (validation, _) = trainer.Evaluate(network, data.Validation, 512);
            var record = new EpochRecord(epoch, result.Loss, result.Accuracy, validation, result.ImagesPerSecond, epochClock.Elapsed.TotalSeconds, ResidentMegabytes());
            history.Add(record);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "epoch {0}: train loss {1:0.0000}, train acc {2:0.00}%, validation acc {3:0.00}%, {4:0.0} s, resident memory {5:#,0} MB",
                epoch, record.TrainLoss, record.TrainAccuracy * 100, record.ValidationAccuracy * 100, record.Seconds, record.ResidentMegabytes));
            SaveCheckpoint(options.Output, network, optimizer, new State(epoch, history));
            WriteCurves(options.Output, history);
        }

        var (test, confusion) = trainer.Evaluate(network, data.Test, 512);
        Console.WriteLine();
        PrintConfusion(confusion);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "test accuracy {0:0.00}% ({1:#,0} images); validation {2:0.00}%; {3:0.0} minutes in all",
            test * 100, data.Test.Count, (history.LastOrDefault()?.ValidationAccuracy ?? 0) * 100, clock.Elapsed.TotalMinutes));
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

    private static void SaveCheckpoint(string folder, nn.Module<Tensor, Tensor> network, TorchSharp.Modules.SGD optimizer, State state)
    {
        network.SaveWeights(Path.Combine(folder, "checkpoint.dat"));
        network.SaveWeights(Path.Combine(folder, "checkpoint.pt"));
        optimizer.save_state_dict(Path.Combine(folder, "optimizer.dat"));
        File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(state));
    }

    private static State? LoadCheckpoint(string folder, nn.Module<Tensor, Tensor> network, TorchSharp.Modules.SGD optimizer)
    {
        var statePath = Path.Combine(folder, "state.json");
        if (!File.Exists(statePath))
        {
            return null;
        }

        network.LoadWeights(Path.Combine(folder, "checkpoint.dat"));
        optimizer.load_state_dict(Path.Combine(folder, "optimizer.dat"));
        return JsonSerializer.Deserialize<State>(File.ReadAllText(statePath));
    }

    private static void WriteCurves(string folder, IReadOnlyList<EpochRecord> history)
    {
        Charts.WriteCsv(
            Path.Combine(folder, "metrics.csv"),
            new[] { "epoch", "train_loss", "train_accuracy", "validation_accuracy", "images_per_second", "seconds", "resident_mb" },
            history.Select(r => new[] { r.Epoch, r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy, r.ImagesPerSecond, r.Seconds, r.ResidentMegabytes }).ToList());
        Charts.WritePng(
            Path.Combine(folder, "curves.png"),
            "Fashion-MNIST training",
            new (string, IReadOnlyList<double>)[]
            {
                ("train loss", history.Select(r => r.TrainLoss).ToList()),
                ("train accuracy", history.Select(r => r.TrainAccuracy).ToList()),
                ("validation accuracy", history.Select(r => r.ValidationAccuracy).ToList()),
            },
            "epoch");
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
