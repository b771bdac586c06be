using System;
using System.IO;
using System.Linq;
using NetGen.Examples.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

public sealed class TrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-training-" + Guid.NewGuid().ToString("N"));

    public TrainingTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (Tensor Images, Tensor Targets) Subset(DataSet data, int count) =>
        (data.Train.Images.narrow(0, 0, count), Trainer.OneHot(data.Train.Labels.narrow(0, 0, count)));

    [Fact]
    public void A_few_epochs_on_a_small_subset_lower_the_loss()
    {
        manual_seed(3);
        using var data = FashionMnist.LoadEmbedded(seed: 3, limit: 256);
        var (images, targets) = Subset(data, 256);
        using var network = Trainer.CreateNetwork("TinyResNet");
        var optimizer = Trainer.CreateOptimizer(network, 0.05);
        var trainer = new Trainer(CPU);
        var losses = Enumerable.Range(1, 4)
            .Select(epoch => trainer.TrainEpoch(network, optimizer, images, targets, 64, 3, epoch, 0.05, 4 * 4, new Progress("test", quiet: true)).Loss)
            .ToList();
        Assert.True(losses[^1] < losses[0] * 0.9, $"losses {string.Join(", ", losses)}");
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_exactly_the_uninterrupted_next_epoch()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 5, limit: 128);
        var (images, targets) = Subset(data, 128);
        var trainer = new Trainer(CPU);
        var quiet = new Progress("test", quiet: true);

        manual_seed(5);
        using var first = Trainer.CreateNetwork("TinyResNet");
        var firstOptimizer = Trainer.CreateOptimizer(first, 0.05);
        trainer.TrainEpoch(first, firstOptimizer, images, targets, 32, 5, 1, 0.05, 8, quiet);
        first.SaveWeights(Path.Combine(_folder, "checkpoint.dat"));
        firstOptimizer.save_state_dict(Path.Combine(_folder, "optimizer.dat"));
        trainer.TrainEpoch(first, firstOptimizer, images, targets, 32, 5, 2, 0.05, 8, quiet);

        manual_seed(99);
        using var resumed = Trainer.CreateNetwork("TinyResNet");
        var resumedOptimizer = Trainer.CreateOptimizer(resumed, 0.05);
        resumed.LoadWeights(Path.Combine(_folder, "checkpoint.dat"));
        resumedOptimizer.load_state_dict(Path.Combine(_folder, "optimizer.dat"));
        trainer.TrainEpoch(resumed, resumedOptimizer, images, targets, 32, 5, 2, 0.05, 8, quiet);

        var expected = first.state_dict();
        foreach (var (key, tensor) in resumed.state_dict())
        {
            Assert.True(tensor.eq(expected[key]).all().item<bool>(), $"{key} differs after resuming");
        }
    }

    [Fact]
    public void Pseudo_labels_are_probabilities_for_every_unlabeled_image()
    {
        using var data = FashionMnist.LoadEmbedded(seed: 7, limit: 200);
        using var split = LabeledSplit.Create(data.Train, 0.1, 7);

        using var teacher = Trainer.CreateNetwork("TinyResNet");
        var pseudo = new Trainer(CPU).Predict(teacher, split.UnlabeledImages, 64);
        Assert.Equal(new long[] { 180, 10 }, pseudo.shape);
        Assert.True(pseudo.sum(1).sub(1).abs().max().item<float>() < 1e-5);
        Assert.True(pseudo.ge(0).all().item<bool>());
    }

    [Fact]
    public void Augmentation_keeps_the_shape_and_depends_only_on_the_generator()
    {
        var batch = rand(8, 1, 28, 28);
        var a = Trainer.Augment(batch, new torch.Generator(11));
        var b = Trainer.Augment(batch, new torch.Generator(11));
        Assert.Equal(batch.shape, a.shape);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void A_network_can_come_from_a_dsl_file_compiled_at_run_time()
    {
        var path = Path.Combine(_folder, "plain.net.txt");
        File.WriteAllText(path, "network PlainCnn(num_classes = 10)\n  input 1x28x28\n  conv(16, k=3, p=1)\n  relu\n  maxpool(k=2)\n  conv(32, k=3, p=1)\n  relu\n  adaptive_avgpool(1)\n  flatten\n  fc: linear(num_classes)\n");
        using var network = Trainer.CreateNetwork(path);
        Assert.Equal((16 * 9) + 16 + (32 * 16 * 9) + 32 + (32 * 10) + 10, network.ParameterCount());

        var bad = Path.Combine(_folder, "bad.net.txt");
        File.WriteAllText(bad, "network Bad\n  input 1x28x28\n  conv(8, k=3)\n  residual\n    conv(16, k=1)\n");
        var error = Assert.Throws<ArgumentException>(() => Trainer.CreateNetwork(bad));
        Assert.Contains("bad.net.txt(5,5): error NG0201", error.Message);
    }
}
