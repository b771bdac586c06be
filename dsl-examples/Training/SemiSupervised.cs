using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// The training split divided as semi-supervised learning sees it: a seeded fraction keeps its labels, the rest is
/// unlabeled. The unlabeled images' true labels are kept only to report how right the pseudo-labels are; no method
/// trains on them. Owns its tensors.
/// </summary>
public sealed class LabeledSplit : IDisposable
{
    private LabeledSplit(Tensor labeledImages, Tensor labeledLabels, Tensor unlabeledImages, Tensor hiddenLabels)
    {
        LabeledImages = labeledImages;
        LabeledLabels = labeledLabels;
        LabeledTargets = Trainer.OneHot(labeledLabels);
        UnlabeledImages = unlabeledImages;
        HiddenLabels = hiddenLabels;
    }

    public Tensor LabeledImages { get; }

    /// <summary>Class indices of the labeled images.</summary>
    public Tensor LabeledLabels { get; }

    /// <summary>One-hot rows of <see cref="LabeledLabels"/>.</summary>
    public Tensor LabeledTargets { get; }

    public Tensor UnlabeledImages { get; }

    /// <summary>The unlabeled images' true labels: for reports only.</summary>
    public Tensor HiddenLabels { get; }

    /// <summary>The first <paramref name="fraction"/> of a shuffle seeded by <paramref name="seed"/> keeps its labels (at least one image).</summary>
    public static LabeledSplit Create(Split train, double fraction, int seed)
    {
        using var order = randperm(train.Count, generator: new TorchSharp.torch.Generator((ulong)seed));
        var labeledCount = Math.Clamp((long)Math.Round(train.Count * fraction), 1, Math.Max(1, train.Count - 1));
        using var labeled = order.narrow(0, 0, labeledCount);
        using var unlabeled = order.narrow(0, labeledCount, train.Count - labeledCount);
        return new LabeledSplit(
            train.Images.index_select(0, labeled),
            train.Labels.index_select(0, labeled),
            train.Images.index_select(0, unlabeled),
            train.Labels.index_select(0, unlabeled));
    }

    public void Dispose()
    {
        LabeledImages.Dispose();
        LabeledLabels.Dispose();
        LabeledTargets.Dispose();
        UnlabeledImages.Dispose();
        HiddenLabels.Dispose();
    }
}

/// <summary>
/// What both semi-supervised methods start from: the seeded global generator, the trainer, the data and its labeled
/// split, announced in one line. Owns the data.
/// </summary>
public sealed class SemiSupervisedRun : IDisposable
{
    private SemiSupervisedRun(Trainer trainer, DataSet data, LabeledSplit split)
    {
        Trainer = trainer;
        Data = data;
        Split = split;
    }

    public Trainer Trainer { get; }

    public DataSet Data { get; }

    public LabeledSplit Split { get; }

    /// <summary>Seeds, loads the data the options name and splits its training images.</summary>
    /// <exception cref="ArgumentException">The device or precision cannot be used.</exception>
    /// <exception cref="DataFormatException">The data is missing or corrupt.</exception>
    public static SemiSupervisedRun Start(TrainOptions options)
    {
        manual_seed(options.Seed);
        var trainer = new Trainer(Trainer.ChooseDevice(options.Device), options.MixedPrecision);
        var data = options.LoadData();
        var split = LabeledSplit.Create(data.Train, options.LabeledFraction, options.Seed);
        Console.WriteLine($"data: {data.Source}; {split.LabeledImages.shape[0]:#,0} labeled and {split.UnlabeledImages.shape[0]:#,0} unlabeled training images");
        return new SemiSupervisedRun(trainer, data, split);
    }

    public void Dispose()
    {
        Split.Dispose();
        Data.Dispose();
    }
}

/// <summary>One trained model of a semi-supervised run: its accuracies and the training time up to it (earlier stages included).</summary>
public sealed record ModelResult(string Role, string Network, double ValidationAccuracy, double TestAccuracy, double Seconds)
{
    /// <summary>"student 1 (TinyResNetNoisy): validation 88.10%, test 87.52%, 6.1 min".</summary>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture, "{0} ({1}): validation {2:0.00}%, test {3:0.00}%, {4:0.0} min of training", Role, Network, ValidationAccuracy * 100, TestAccuracy * 100, Seconds / 60);
}

/// <summary>
/// One training stage of a semi-supervised run (a teacher, a student, Meta Pseudo Labels' joint training, a
/// fine-tuning) in its own folder: a checkpoint after every epoch, <c>metrics.csv</c> with one row an epoch and
/// <c>curves.png</c> (columns named <c>*loss</c> in the upper panel, <c>*accuracy</c> in % in the lower one). With
/// <c>--resume</c> a finished stage is loaded as it is and an unfinished one continues after its last epoch.
/// </summary>
public sealed class Stage
{
    /// <summary>state.json: the last finished epoch, the rows so far, the schedule, and Meta Pseudo Labels' moving baseline.</summary>
    public sealed record State(int Epoch, List<double[]> Rows, Schedule? Schedule, double Baseline = 0);

    private readonly string _title;
    private readonly string[] _columns;
    private readonly IReadOnlyList<CheckpointPart> _parts;
    private readonly List<double[]> _rows = new();

    /// <summary>A stage in <paramref name="folder"/> whose metrics have <paramref name="columns"/> (the first is the epoch, one named "seconds").</summary>
    public Stage(string folder, string title, IReadOnlyList<string> columns, Schedule schedule, IReadOnlyList<CheckpointPart> parts)
    {
        Folder = folder;
        _title = title;
        _columns = columns.ToArray();
        Schedule = schedule;
        _parts = parts;
    }

    public string Folder { get; }

    public Schedule Schedule { get; }

    /// <summary>A value carried from epoch to epoch and through checkpoints (Meta Pseudo Labels' moving baseline).</summary>
    public double Baseline { get; set; }

    /// <summary>The rows of the finished epochs.</summary>
    public IReadOnlyList<double[]> Rows => _rows;

    /// <summary>Seconds the finished epochs took, from the "seconds" column, so a resumed run counts the time before it too.</summary>
    public double Seconds => _rows.Sum(row => row[IndexOf("seconds")]);

    /// <summary>The last finished epoch's value of <paramref name="column"/> (NaN before the first).</summary>
    public double Last(string column) => _rows.Count == 0 ? double.NaN : _rows[^1][IndexOf(column)];

    /// <summary>The first epoch to train: 1, or with <paramref name="resume"/> the one after the checkpoint's, loading it.</summary>
    /// <exception cref="ArgumentException">The checkpoint's schedule differs and <paramref name="allowScheduleChange"/> is false.</exception>
    public int Begin(bool resume, bool allowScheduleChange)
    {
        var state = resume ? Checkpoint.Load<State>(Folder, _parts, s => s.Schedule, Schedule, allowScheduleChange) : null;
        if (state is null)
        {
            return 1;
        }

        _rows.AddRange(state.Rows);
        Baseline = state.Baseline;
        return state.Epoch + 1;
    }

    /// <summary>Records an epoch's row (its first value is the epoch) and writes the checkpoint, metrics.csv and curves.png.</summary>
    public void EndEpoch(double[] row)
    {
        _rows.Add(row);
        Checkpoint.Save(Folder, _parts, new State((int)row[0], _rows, Schedule, Baseline));
        Charts.WriteCsv(Path.Combine(Folder, "metrics.csv"), _columns, _rows);
        var panels = new[] { ("loss", "loss (cross-entropy)", 1.0), ("accuracy", "accuracy (%)", 100.0) }
            .Select(panel => new ChartPanel(panel.Item2, _columns
                .Select((name, i) => (name, i))
                .Where(c => c.name.EndsWith(panel.Item1, StringComparison.Ordinal))
                .Select(c => new ChartSeries(c.name.Replace('_', ' '), _rows.Select(r => r[c.i] * panel.Item3).ToList()))
                .ToList()))
            .Where(panel => panel.Series.Count > 0)
            .ToList();
        Charts.WritePng(Path.Combine(Folder, "curves.png"), _title, "epoch", panels);
    }

    private int IndexOf(string column)
    {
        var index = Array.IndexOf(_columns, column);
        return index >= 0 ? index : throw new ArgumentException($"no column '{column}'", nameof(column));
    }

    /// <summary>
    /// Trains <paramref name="network"/> on (images, targets) for <paramref name="epochs"/> as <c>train</c> does (SGD, cosine
    /// schedule), noised by <paramref name="augment"/>, as a stage in <paramref name="folder"/>: validation accuracy after
    /// every epoch, a checkpoint, curves, resumable. Prints a line an epoch.
    /// </summary>
    public static Stage TrainSupervised(
        Trainer trainer,
        TrainOptions options,
        string folder,
        string label,
        nn.Module<Tensor, Tensor> network,
        Tensor images,
        Tensor targets,
        int epochs,
        double learningRate,
        DataSet data,
        Func<Tensor, TorchSharp.torch.Generator, Tensor>? augment = null)
    {
        var optimizer = Trainer.CreateOptimizer(network, learningRate);
        var count = (int)images.shape[0];
        var schedule = new Schedule(epochs, learningRate, options.BatchSize, count);
        var stage = new Stage(
            folder,
            $"{label}: {network.GetType().Name} on {count:#,0} images",
            new[] { "epoch", "train_loss", "train_accuracy", "validation_accuracy", "images_per_second", "seconds" },
            schedule,
            new[] { CheckpointPart.Named("network", network, optimizer) });
        var batches = (count + options.BatchSize - 1) / options.BatchSize;
        var first = stage.Begin(options.Resume, options.AllowScheduleChange);
        if (first > 1)
        {
            Console.WriteLine($"{label}: resumed after epoch {first - 1} of {epochs} from {folder}");
        }

        for (var epoch = first; epoch <= epochs; epoch++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = trainer.TrainEpoch(network, optimizer, images, targets, options.BatchSize, options.Seed, epoch, learningRate,
                (long)batches * epochs, new Progress($"{label} epoch {epoch}/{epochs}"), augment);
            var (validation, _) = trainer.Evaluate(network, data.Validation, 512);
            stage.EndEpoch(new[] { epoch, result.Loss, result.Accuracy, validation, result.ImagesPerSecond, clock.Elapsed.TotalSeconds });
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0} epoch {1}/{2}: train loss {3:0.0000}, train acc {4:0.00}%, validation acc {5:0.00}%, {6:#,0} images/s, {7:0.0} s",
                label, epoch, epochs, result.Loss, result.Accuracy * 100, validation * 100, result.ImagesPerSecond, clock.Elapsed.TotalSeconds));
        }

        return stage;
    }

    /// <summary>The result line of a trained model: validation from the stage, test measured now.</summary>
    public static ModelResult Report(Trainer trainer, DataSet data, string role, nn.Module<Tensor, Tensor> network, double validation, double seconds)
    {
        var (test, _) = trainer.Evaluate(network, data.Test, 512);
        var result = new ModelResult(role, network.GetType().Name, validation, test, seconds);
        Console.WriteLine(result);
        return result;
    }
}
