using System;
using System.Diagnostics;
using System.Linq;
using NetGen.Generated;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Examples.Training;

/// <summary>What one epoch of training measured.</summary>
public sealed record EpochResult(double Loss, double Accuracy, double ImagesPerSecond);

/// <summary>
/// The training loop shared by <c>train</c> and <c>noisy-student</c>: SGD with Nesterov momentum and a
/// cosine learning-rate schedule, random crops and flips, soft or hard targets. Every batch runs in
/// its own dispose scope, so native memory stays flat across epochs.
/// </summary>
public sealed class Trainer
{
    private readonly Device _device;
    private readonly GradScaler? _scaler;

    /// <summary>A trainer on <paramref name="device"/> that computes as <paramref name="precision"/> says (float32 if null).</summary>
    public Trainer(Device device, MixedPrecision? precision = null)
    {
        _device = device;
        Precision = precision ?? MixedPrecision.Float32;
        _scaler = Precision.CreateScaler();
    }

    public Device Device => _device;

    /// <summary>The precision and memory format of every forward pass.</summary>
    public MixedPrecision Precision { get; }

    /// <summary>The float16 loss scaler (null otherwise): its scale and skipped steps.</summary>
    public GradScaler? Scaler => _scaler;

    /// <summary>The network on this trainer's device, in its memory format; returns it.</summary>
    public T Prepare<T>(T network)
        where T : nn.Module<Tensor, Tensor>
    {
        network.to(_device);
        return Precision.Apply(network);
    }

    /// <summary>cuda when TorchSharp reports it (for auto), else the CPU.</summary>
    public static Device ChooseDevice(string option) => option switch
    {
        "cpu" => CPU,
        "cuda" when cuda.is_available() => CUDA,
        "cuda" => throw new ArgumentException("--device cuda: TorchSharp reports no CUDA device (reference a CUDA libtorch package to train on a GPU)"),
        _ => cuda.is_available() ? CUDA : CPU,
    };

    /// <summary>A zoo network for 1x28x28 inputs and 10 classes, by class name, or a DSL file's (see <see cref="DslFile.TryCreate"/>).</summary>
    /// <exception cref="ArgumentException">No such network, or one that does not map 1x28x28 images to 10 classes (told from its compile-time shapes).</exception>
    /// <exception cref="InsufficientMemoryException">The network is too large to train here (checked before it is built).</exception>
    public static nn.Module<Tensor, Tensor> CreateNetwork(string name)
    {
        if (DslFile.TryCreate(name, RequireFashionMnistShape) is { } fromFile)
        {
            return fromFile;
        }

        var info = NetworkCatalog.All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"no network '{name}'; networks for 1x28x28 images: {string.Join(", ", Fitting().Select(n => n.Name))}");
        RequireFashionMnistShape(info.Name, info.InputShape, info.OutputShape);
        MemoryBudget.RequireTrainable(info.Name, info.ParameterCount);
        return info.Create();
    }

    /// <summary>Refuses, before it is built, a network that does not map one 1x28x28 image to 10 class scores.</summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names them and the zoo's networks that fit.</exception>
    public static void RequireFashionMnistShape(string name, long[] input, long[] output)
    {
        if (!input.SequenceEqual(new long[] { 1, 28, 28 }) || !output.SequenceEqual(new long[] { 10 }))
        {
            throw new ArgumentException($"{name} takes {string.Join("x", input)} and gives {string.Join("x", output)}; Fashion-MNIST needs 1x28x28 -> 10: {string.Join(", ", Fitting().Select(n => n.Name))}");
        }
    }

    private static System.Collections.Generic.IEnumerable<NetworkInfo> Fitting() =>
        NetworkCatalog.All.Where(n => n.InputShape.SequenceEqual(new long[] { 1, 28, 28 }) && n.OutputShape.SequenceEqual(new long[] { 10 }));

    /// <summary>
    /// SGD with Nesterov momentum 0.9 and weight decay 5e-4 over the network (already on its device and in its memory
    /// format): NetGen's <see cref="FlatSgd"/>, which steps every parameter in a few kernels and computes what
    /// TorchSharp's per-parameter SGD does, element for element.
    /// </summary>
    public static SGD CreateOptimizer(nn.Module<Tensor, Tensor> network, double learningRate) =>
        new FlatSgd(network.parameters(), learningRate, momentum: 0.9, weight_decay: 5e-4, nesterov: true);

    /// <summary>One-hot rows for hard labels, so labeled and pseudo-labeled data train alike.</summary>
    public static Tensor OneHot(Tensor labels) => nn.functional.one_hot(labels, 10).to(ScalarType.Float32);

    /// <summary>
    /// One epoch over (images, targets) in a shuffled order that depends only on the seed and epoch, so a
    /// resumed run repeats exactly what an uninterrupted one does. The learning rate follows a cosine
    /// from <paramref name="learningRate"/> at step 0 to 0 at <paramref name="totalSteps"/>. Each batch is noised by
    /// <paramref name="augment"/> (random crops and flips, <see cref="Augment"/>, if null); dropout and stochastic depth
    /// draw from the global generator, which is seeded from the seed and epoch too.
    /// </summary>
    public EpochResult TrainEpoch(
        nn.Module<Tensor, Tensor> network,
        SGD optimizer,
        Tensor images,
        Tensor targets,
        int batchSize,
        int seed,
        int epoch,
        double learningRate,
        long totalSteps,
        Progress progress,
        Func<Tensor, torch.Generator, Tensor>? augment = null)
    {
        network.train();
        var generator = EpochGenerator(seed, epoch);
        augment ??= Augment;
        var count = images.shape[0];
        var batches = (count + batchSize - 1) / batchSize;
        using var order = randperm(count, generator: generator);
        var clock = Stopwatch.StartNew();
        double lossSum = 0, correct = 0;
        long seen = 0;
        for (long b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            SetCosineRate(optimizer, learningRate, ((epoch - 1) * batches) + b, totalSteps);

            var index = order.narrow(0, b * batchSize, Math.Min(batchSize, count - (b * batchSize)));
            var x = Precision.Input(augment(images.index_select(0, index), generator).to(_device));
            var y = targets.index_select(0, index).to(_device);
            Tensor logits;
            using (Precision.Enter(_device))
            {
                logits = network.call(x);
            }

            // The loss in float32, outside autocast, as PyTorch's mixed-precision recipe has it.
            var loss = -(y * nn.functional.log_softmax(logits.to(ScalarType.Float32), 1)).sum(1).mean();
            optimizer.zero_grad();
            if (_scaler is null)
            {
                loss.backward();
                optimizer.step();
            }
            else
            {
                _scaler.ScaleLoss(loss).backward();
                _scaler.Step(optimizer, network.parameters());
            }

            var n = index.shape[0];
            lossSum += loss.item<float>() * n;
            correct += logits.argmax(1).eq(y.argmax(1)).sum().item<long>();
            seen += n;
            progress.Report(b + 1, batches, lossSum / seen, correct / seen, seen / clock.Elapsed.TotalSeconds);
        }

        return new EpochResult(lossSum / seen, correct / seen, seen / clock.Elapsed.TotalSeconds);
    }

    /// <summary>Sets the rate of step <paramref name="step"/> of <paramref name="totalSteps"/> on a cosine from <paramref name="learningRate"/> down to 0.</summary>
    public static void SetCosineRate(SGD optimizer, double learningRate, long step, long totalSteps)
    {
        var rate = 0.5 * learningRate * (1 + Math.Cos(Math.PI * step / totalSteps));
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    /// <summary>
    /// Seeds the global generator before a run creates its <paramref name="index"/>-th network, so the network's
    /// initialization does not depend on what trained before it, and a resumed run creates the same one.
    /// </summary>
    public static void SeedNetwork(int seed, int index) => manual_seed((seed * 100_000L) + 99_000 + index);

    /// <summary>
    /// The generator of an epoch's order and noise, seeded by the run's seed and the epoch; seeds the global generator
    /// (dropout, stochastic depth) too, so a run resumed at that epoch repeats the uninterrupted one exactly.
    /// </summary>
    public static torch.Generator EpochGenerator(int seed, int epoch)
    {
        var epochSeed = (seed * 1000L) + epoch;
        manual_seed(epochSeed + 500);
        return new torch.Generator((ulong)epochSeed);
    }

    /// <summary>Random crops (the image padded by 2 pixels a side, cut back to 28x28) and horizontal flips, drawn from <paramref name="generator"/>.</summary>
    public static Tensor Augment(Tensor batch, torch.Generator generator)
    {
        var n = batch.shape[0];
        var padded = nn.functional.pad(batch, new long[] { 2, 2, 2, 2 });
        var offsets = randint(0, 5, new long[] { n, 2 }, generator: generator).data<long>().ToArray();
        var crops = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            crops[i] = padded[i].narrow(1, offsets[2 * i], 28).narrow(2, offsets[(2 * i) + 1], 28);
        }

        return Flip(stack(crops), generator);
    }

    /// <summary>Each image mirrored left to right with probability 1/2, drawn from <paramref name="generator"/>.</summary>
    public static Tensor Flip(Tensor batch, torch.Generator generator)
    {
        var flip = rand(new long[] { batch.shape[0], 1, 1, 1 }, generator: generator).lt(0.5);
        return where(flip, batch.flip(3), batch);
    }

    /// <summary>Predicted class probabilities for every image, in evaluation mode, batch by batch.</summary>
    public Tensor Predict(nn.Module<Tensor, Tensor> network, Tensor images, int batchSize)
    {
        network.eval();
        using var noGrad = no_grad();
        var parts = new Tensor[(images.shape[0] + batchSize - 1) / batchSize];
        for (var b = 0; b < parts.Length; b++)
        {
            using var scope = NewDisposeScope();
            var x = Precision.Input(images.narrow(0, (long)b * batchSize, Math.Min(batchSize, images.shape[0] - ((long)b * batchSize))).to(_device));
            Tensor logits;
            using (Precision.Enter(_device))
            {
                logits = network.call(x);
            }

            parts[b] = nn.functional.softmax(logits.to(ScalarType.Float32), 1).cpu().MoveToOuterDisposeScope();
        }

        var result = cat(parts, 0);
        foreach (var part in parts)
        {
            part.Dispose();
        }

        return result;
    }

    /// <summary>Accuracy and the confusion matrix (rows: true class, columns: predicted).</summary>
    public (double Accuracy, long[,] Confusion) Evaluate(nn.Module<Tensor, Tensor> network, Split split, int batchSize)
    {
        using var scope = NewDisposeScope();
        var predicted = Predict(network, split.Images, batchSize).argmax(1).data<long>().ToArray();
        var truth = split.Labels.data<long>().ToArray();
        var confusion = new long[10, 10];
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            confusion[truth[i], predicted[i]]++;
            correct += truth[i] == predicted[i] ? 1 : 0;
        }

        return (truth.Length == 0 ? 0 : (double)correct / truth.Length, confusion);
    }
}
