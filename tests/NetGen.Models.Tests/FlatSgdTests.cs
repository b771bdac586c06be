using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Examples;
using NetGen.Examples.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// <see cref="FlatSgd"/> against TorchSharp's <see cref="SGD"/>: the same weights after every step for every option,
/// and the views into its flat tensors kept or restored through whatever replaces a parameter, a gradient or a
/// momentum buffer (module zero_grad, load_state_dict, channels-last relaying, optimizer checkpoints).
/// </summary>
public sealed class FlatSgdTests : IDisposable
{
    private const int BatchSize = 8;
    private readonly string _folder = Directory.CreateTempSubdirectory("netgen-flatsgd-").FullName;

    public FlatSgdTests() => Platform.EnsureConfigured();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, double, double, double, bool, bool> Options() => new()
    {
        // name, momentum, dampening, weight decay, Nesterov, maximize
        { "plain", 0, 0, 0, false, false },
        { "weight decay", 0, 0, 1e-3, false, false },
        { "momentum", 0.9, 0, 0, false, false },
        { "momentum, dampening, weight decay", 0.9, 0.25, 5e-4, false, false },
        { "Nesterov", 0.9, 0, 0, true, false },
        { "Nesterov, weight decay (the trainer's)", 0.9, 0, 5e-4, true, false },
        { "maximize", 0.5, 0, 1e-4, false, true },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void FlatSgd_gives_SGDs_weights_after_every_step(string name, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
    {
        using var reference = Network();
        using var flat = Twin(reference);
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum, dampening, weightDecay, nesterov, maximize);
        using var flatSgd = new FlatSgd(flat.parameters(), 0.05, momentum, dampening, weightDecay, nesterov, maximize);

        for (var step = 0; step < 4; step++)
        {
            // A learning rate set through the groups, as schedules do, reaches the flat step.
            SetRate(sgd, 0.05 / (step + 1));
            SetRate(flatSgd, 0.05 / (step + 1));
            TrainStep(reference, sgd, step);
            TrainStep(flat, flatSgd, step);
            AssertSameWeights(reference, flat, $"{name}, step {step}");
        }
    }

    [Fact]
    public void Parameters_gradients_and_momentum_are_views_into_one_flat_tensor_each()
    {
        using var network = Network();
        using var optimizer = new FlatSgd(network.parameters(), 0.1, momentum: 0.9);
        TrainStep(network, optimizer, 0);
        var parameters = network.parameters().ToArray();
        var gradients = optimizer.FlatGradients();
        Assert.Single(gradients);
        var elements = parameters.Sum(p => p.numel());
        Assert.True(gradients[0].numel() >= elements, "the flat gradient holds every parameter's");

        using var gradientSum = gradients[0].abs().sum();
        using var parameterGradientSum = stack(parameters.Select(p => p.grad!.abs().sum()).ToArray()).sum();
        Assert.Equal(parameterGradientSum.item<float>(), gradientSum.item<float>(), 3);

        // Writing through the flat tensor is writing the parameters and their momentum.
        using (no_grad())
        {
            FlatValues(optimizer).fill_(0.5f);
        }

        Assert.All(parameters, p => Assert.True(p.eq(0.5f).all().item<bool>()));
        var states = optimizer.state_dict().State.OfType<SGD.State>().ToArray();
        Assert.Equal(parameters.Length, states.Length);
        Assert.All(states, s => Assert.NotNull(s.momentum_buffer));
    }

    [Fact]
    public void A_module_zero_grad_that_sets_gradients_to_none_is_caught_at_the_next_step()
    {
        using var reference = Network();
        using var flat = Twin(reference);
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        using var flatSgd = new FlatSgd(flat.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);

        for (var step = 0; step < 3; step++)
        {
            TrainStep(reference, sgd, step);
            TrainStep(flat, flatSgd, step, zeroGrad: () => flat.zero_grad());
            AssertSameWeights(reference, flat, $"step {step}");
        }

        // A gradient left from before a module zero_grad must not leak into the flat optimizer's next zero_grad.
        flat.zero_grad();
        Backward(flat, 9);
        flatSgd.zero_grad();
        Assert.All(flat.parameters(), p => Assert.True(p.grad!.eq(0).all().item<bool>()));
    }

    [Fact]
    public void Weights_loaded_into_the_module_after_the_optimizer_is_built_are_the_ones_it_steps()
    {
        using var reference = Network();
        using var flat = Network(seed: 99);
        using var flatSgd = new FlatSgd(flat.parameters(), 0.05, momentum: 0.9);
        var (missing, unexpected) = flat.load_state_dict(reference.state_dict(), strict: true);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum: 0.9);

        StepBothAlike(reference, sgd, flat, flatSgd, steps: 0..2);
    }

    [Fact]
    public void Channels_last_weights_stay_channels_last_and_survive_a_checkpoint_relaying_them()
    {
        using var reference = ChannelsLast.Apply(Network());
        using var flat = ChannelsLast.Apply(Twin(reference));
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        using var flatSgd = new FlatSgd(flat.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        var convolutionWeights = flat.parameters().Where(p => p.dim() == 4).ToArray();
        Assert.NotEmpty(convolutionWeights);
        Assert.All(convolutionWeights, w => Assert.True(ChannelsLast.IsChannelsLast(w)));

        for (var step = 0; step < 3; step++)
        {
            TrainStep(reference, sgd, step);
            TrainStep(flat, flatSgd, step);
            AssertSameWeights(reference, flat, $"step {step}");

            // What Checkpoint.Save does: weights and momentum laid out contiguously to be written, then relaid.
            var momentum = flatSgd.state_dict().State.OfType<SGD.State>().Select(s => s.momentum_buffer).OfType<Tensor>();
            ChannelsLast.WhileContiguous(flat.parameters().Cast<Tensor>().Concat(momentum).ToArray(), () => flatSgd.save_state_dict(Path.Combine(_folder, "optimizer.dat")));

            // The relaid weights are outside the flat tensor until the next step takes them back in; the flat
            // gradients can still be had meanwhile, with gradients enabled, as GradScaler asks for them.
            Assert.Single(flatSgd.FlatGradients());
        }

        Assert.All(convolutionWeights, w => Assert.True(ChannelsLast.IsChannelsLast(w)));
    }

    [Fact]
    public void An_optimizer_checkpoint_resumes_the_uninterrupted_trajectory()
    {
        using var uninterrupted = Network();
        using var resumed = Network(seed: 5);
        using var uninterruptedSgd = new FlatSgd(uninterrupted.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        for (var step = 0; step < 2; step++)
        {
            TrainStep(uninterrupted, uninterruptedSgd, step);
        }

        var weights = Path.Combine(_folder, "weights.dat");
        var optimizerState = Path.Combine(_folder, "optimizer.dat");
        uninterrupted.save(weights);
        uninterruptedSgd.save_state_dict(optimizerState);

        using var resumedSgd = new FlatSgd(resumed.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        resumed.load(weights);
        resumedSgd.load_state_dict(optimizerState);
        StepBothAlike(uninterrupted, uninterruptedSgd, resumed, resumedSgd, steps: 2..4);
    }

    [Fact]
    public void A_checkpoint_of_TorchSharps_SGD_resumes_into_FlatSgd()
    {
        using var reference = Network();
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        TrainStep(reference, sgd, 0);
        var optimizerState = Path.Combine(_folder, "optimizer.dat");
        sgd.save_state_dict(optimizerState);

        using var resumed = Twin(reference);
        using var flatSgd = new FlatSgd(resumed.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        Checkpoint.LoadOptimizer(flatSgd, optimizerState);
        StepBothAlike(reference, sgd, resumed, flatSgd, steps: 1..3);
    }

    [Fact]
    public void Parameters_of_two_dtypes_step_in_two_flat_tensors_as_SGD_steps_them()
    {
        Parameter[] Make() => new[]
        {
            new Parameter(linspace(-1, 1, 12).reshape(3, 4)),
            new Parameter(linspace(-2, 2, 5, dtype: ScalarType.Float64)),
            new Parameter(linspace(0, 1, 7)),
        };

        var reference = Make();
        var flat = Make();
        using var sgd = optim.SGD(reference, 0.1, momentum: 0.8, weight_decay: 0.01);
        using var flatSgd = new FlatSgd(flat, 0.1, momentum: 0.8, weight_decay: 0.01);
        Assert.Equal(2, flatSgd.FlatGradients().Count);

        for (var step = 0; step < 3; step++)
        {
            foreach (var (parameters, optimizer) in new (Parameter[], optim.Optimizer)[] { (reference, sgd), (flat, flatSgd) })
            {
                optimizer.zero_grad();
                using var loss = parameters.Select(p => (p * p).sum().to(ScalarType.Float64)).Aggregate((a, b) => a + b);
                loss.backward();
                optimizer.step();
            }

            for (var i = 0; i < reference.Length; i++)
            {
                Assert.True(reference[i].eq(flat[i]).all().item<bool>(), $"parameter {i} after step {step}");
            }
        }
    }

    [Fact]
    public void FlatSgd_refuses_a_frozen_parameter_and_one_given_twice()
    {
        using var network = Network();
        var parameters = network.parameters().ToArray();
        parameters[0].requires_grad = false;
        var frozen = Assert.Throws<ArgumentException>(() => new FlatSgd(parameters, 0.1));
        Assert.Contains("requires_grad", frozen.Message);

        parameters[0].requires_grad = true;
        var twice = Assert.Throws<ArgumentException>(() => new FlatSgd(parameters.Append(parameters[1]), 0.1));
        Assert.Contains("twice", twice.Message);
    }

    [Fact]
    public void The_gradient_scaler_unscales_a_flat_optimizers_gradients_and_skips_a_non_finite_step()
    {
        using var reference = Network();
        using var flat = Twin(reference);
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum: 0.9);
        using var flatSgd = new FlatSgd(flat.parameters(), 0.05, momentum: 0.9);
        var referenceScaler = new GradScaler();
        var flatScaler = new GradScaler();

        foreach (var (network, optimizer, scaler) in new (nn.Module<Tensor, Tensor>, optim.Optimizer, GradScaler)[] { (reference, sgd, referenceScaler), (flat, flatSgd, flatScaler) })
        {
            optimizer.zero_grad();
            using var loss = Loss(network, 0);
            using var scaled = scaler.ScaleLoss(loss);
            scaled.backward();
            Assert.True(scaler.Step((OptimizerHelper)optimizer, network.parameters()));
        }

        AssertSameWeights(reference, flat, "a scaled step");

        flatSgd.zero_grad();
        using (no_grad())
        {
            flat.parameters().First().grad!.fill_(float.PositiveInfinity);
        }

        using var before = FlatValues(flatSgd).clone();
        Assert.False(flatScaler.Step(flatSgd, flat.parameters()));
        Assert.True(FlatValues(flatSgd).eq(before).all().item<bool>());
        Assert.Equal(referenceScaler.Scale / 2, flatScaler.Scale);
    }

    private static nn.Module<Tensor, Tensor> Network(int seed = 1)
    {
        manual_seed(seed);
        return new TinyResNet();
    }

    private static nn.Module<Tensor, Tensor> Twin(nn.Module<Tensor, Tensor> source)
    {
        var twin = Network(seed: 42);
        var (missing, unexpected) = twin.load_state_dict(source.state_dict(), strict: true);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        return twin;
    }

    private static Tensor Loss(nn.Module<Tensor, Tensor> network, int step)
    {
        network.train();
        var generator = new torch.Generator((ulong)(1000 + step));
        using var scope = NewDisposeScope();
        var images = randn(BatchSize, 1, 28, 28, generator: generator);
        var labels = randint(0, 10, BatchSize, generator: generator);
        return nn.functional.cross_entropy(network.call(images), labels).MoveToOuterDisposeScope();
    }

    private static void Backward(nn.Module<Tensor, Tensor> network, int step)
    {
        using var loss = Loss(network, step);
        loss.backward();
    }

    private static void TrainStep(nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, int step, Action? zeroGrad = null)
    {
        using var scope = NewDisposeScope();
        (zeroGrad ?? optimizer.zero_grad)();
        Backward(network, step);
        optimizer.step();
    }

    /// <summary>Trains both networks on the same batches for <paramref name="steps"/>, requiring equal weights after each step.</summary>
    private static void StepBothAlike(nn.Module<Tensor, Tensor> expected, optim.Optimizer expectedOptimizer, nn.Module<Tensor, Tensor> actual, optim.Optimizer actualOptimizer, Range steps)
    {
        for (var step = steps.Start.Value; step < steps.End.Value; step++)
        {
            TrainStep(expected, expectedOptimizer, step);
            TrainStep(actual, actualOptimizer, step);
            AssertSameWeights(expected, actual, $"step {step}");
        }
    }

    private static void SetRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    private static Tensor FlatValues(FlatSgd optimizer) => Assert.Single(optimizer.FlatValues());

    private static void AssertSameWeights(nn.Module<Tensor, Tensor> expected, nn.Module<Tensor, Tensor> actual, string because)
    {
        var actualParameters = actual.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in expected.named_parameters())
        {
            using var difference = (parameter - actualParameters[name]).abs().max();
            Assert.True(difference.item<float>() == 0, $"{because}: {name} differs by {difference.item<float>()}");
        }
    }
}
