using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>
/// What fixes the learning rate at every step: the cosine runs from <paramref name="LearningRate"/> to 0 over
/// <paramref name="Epochs"/> epochs of ceil(<paramref name="TrainImages"/> / <paramref name="BatchSize"/>) steps.
/// <paramref name="BatchSizeName"/> says which options make the batch size, for messages.
/// </summary>
public sealed record Schedule(int Epochs, double LearningRate, int BatchSize, int TrainImages, string BatchSizeName = "--batch-size")
{
    /// <summary>Each value that differs from <paramref name="now"/>'s, as "--epochs 8 then, 10 now".</summary>
    public IEnumerable<string> Differences(Schedule now)
    {
        var pairs = new (string Name, object Then, object Now)[]
        {
            ("--epochs", Epochs, now.Epochs),
            ("--lr", LearningRate, now.LearningRate),
            (BatchSizeName, BatchSize, now.BatchSize),
            ("training images (--limit, --data, --labeled)", TrainImages, now.TrainImages),
        };
        return pairs.Where(p => !p.Then.Equals(p.Now)).Select(p => string.Format(CultureInfo.InvariantCulture, "{0} {1} then, {2} now", p.Name, p.Then, p.Now));
    }
}

/// <summary>
/// One network and its optimizer in a checkpoint folder: weights in <c>{Weights}.dat</c> (TorchSharp's format) and
/// <c>{Weights}.pt</c> (PyTorch's), the optimizer's state in <c>{Optimizer}.dat</c>.
/// </summary>
public sealed record CheckpointPart(string Weights, string Optimizer, nn.Module<Tensor, Tensor> Network, SGD Sgd)
{
    /// <summary>A part whose files are <c>{name}.dat</c>, <c>{name}.pt</c> and <c>{name}-optimizer.dat</c>.</summary>
    public static CheckpointPart Named(string name, nn.Module<Tensor, Tensor> network, SGD sgd) => new(name, name + "-optimizer", network, sgd);
}

/// <summary>
/// A training's checkpoint folder: after every epoch, the weights and optimizer state of each of its networks and a
/// <c>state.json</c> (the epoch, the history, the learning-rate schedule). Loading refuses a checkpoint trained on
/// another schedule unless told otherwise, because resuming on another schedule is not the run it claims to continue.
/// </summary>
public static class Checkpoint
{
    private const string StateFile = "state.json";

    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes every part and <paramref name="state"/> into <paramref name="folder"/> (created if missing).</summary>
    public static void Save<TState>(string folder, IEnumerable<CheckpointPart> parts, TState state)
    {
        Directory.CreateDirectory(folder);
        foreach (var part in parts)
        {
            part.Network.SaveWeights(Path.Combine(folder, part.Weights + ".dat"));
            part.Network.SaveWeights(Path.Combine(folder, part.Weights + ".pt"));
            ChannelsLast.WhileContiguous(MomentumBuffers(part.Sgd), () => part.Sgd.save_state_dict(Path.Combine(folder, part.Optimizer + ".dat")));
        }

        File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(state, StateJson));
    }

    /// <summary>The state in <paramref name="folder"/> without loading any weights, or null when it holds none.</summary>
    /// <exception cref="JsonException">state.json is not valid JSON.</exception>
    public static TState? ReadState<TState>(string folder)
        where TState : class
    {
        var path = Path.Combine(folder, StateFile);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<TState>(File.ReadAllText(path), StateJson) ?? throw new ArgumentException($"{path} holds no training state")
            : null;
    }

    /// <summary>
    /// Loads the checkpoint in <paramref name="folder"/>, if any, into <paramref name="parts"/>, after checking that it
    /// was trained on <paramref name="schedule"/> (<paramref name="scheduleOf"/> reads it from the state).
    /// </summary>
    /// <returns>The state, or null when the folder holds no checkpoint.</returns>
    /// <exception cref="ArgumentException">The checkpoint's schedule differs (or is not recorded) and <paramref name="allowScheduleChange"/> is false.</exception>
    public static TState? Load<TState>(string folder, IEnumerable<CheckpointPart> parts, Func<TState, Schedule?> scheduleOf, Schedule schedule, bool allowScheduleChange)
        where TState : class
    {
        var state = ReadState<TState>(folder);
        if (state is null)
        {
            return null;
        }

        var then = scheduleOf(state);
        if (then != schedule && !allowScheduleChange)
        {
            throw new ArgumentException(then is null
                ? $"--resume: the checkpoint in {folder} records no learning-rate schedule (an older version wrote it); pass --allow-schedule-change to continue on this run's"
                : $"--resume: the checkpoint in {folder} was trained on another learning-rate schedule ({string.Join("; ", then.Differences(schedule))}); pass --allow-schedule-change to continue on this run's");
        }

        foreach (var part in parts)
        {
            part.Network.LoadWeights(Path.Combine(folder, part.Weights + ".dat"));
            ChannelsLast.WhileContiguous(MomentumBuffers(part.Sgd), () => LoadOptimizer(part.Sgd, Path.Combine(folder, part.Optimizer + ".dat")));
        }

        return state;
    }

    /// <summary>
    /// Loads an optimizer state saved by <see cref="Save"/>. One that TorchSharp's <see cref="SGD"/> saved (checkpoints from
    /// before <see cref="FlatSgd"/>) holds the same options and momentum under another class name, which TorchSharp's
    /// loader refuses: it is read into an <see cref="SGD"/> over the same parameters and handed over.
    /// </summary>
    internal static void LoadOptimizer(SGD optimizer, string path)
    {
        if (optimizer is FlatSgd && SavedClassName(path) == nameof(SGD))
        {
            using var saved = optim.SGD(optimizer.parameters(), optimizer.ParamGroups.First().LearningRate);
            saved.load_state_dict(path);
            optimizer.load_state_dict(saved.state_dict());
            return;
        }

        optimizer.load_state_dict(path);
    }

    /// <summary>The class name TorchSharp writes first in an optimizer state file.</summary>
    private static string SavedClassName(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        return reader.ReadString();
    }

    /// <summary>SGD's momentum buffers: channels-last, like the weights they follow, when the weights are.</summary>
    private static IEnumerable<Tensor> MomentumBuffers(SGD optimizer) =>
        optimizer.state_dict().State.OfType<SGD.State>().Select(s => s.momentum_buffer).OfType<Tensor>();
}
