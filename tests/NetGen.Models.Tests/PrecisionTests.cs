using System;
using System.IO;
using System.Linq;
using NetGen.Examples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// Mixed precision and channels-last, which TorchSharp 0.107 does not expose: libtorch's autocast switched through its
/// exports, dynamic loss scaling, and channels-last strides made by permutes; and that a generated network computes
/// the same under them.
/// </summary>
public sealed class PrecisionTests
{
    public PrecisionTests() => Platform.EnsureConfigured();

    [Fact]
    public void Autocast_runs_a_linear_layer_in_bfloat16_inside_its_scope_and_restores_float32_after()
    {
        Assert.True(Autocast.IsSupported);
        using var layer = nn.Linear(8, 4);
        using var x = randn(2, 8);

        using (Autocast.Enable(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(Autocast.IsEnabled(DeviceType.CPU));
            using var inside = layer.call(x);
            Assert.Equal(ScalarType.BFloat16, inside.dtype);
            using (Autocast.Enable(DeviceType.CPU, ScalarType.Float16))
            {
                using var nested = layer.call(x);
                Assert.Equal(ScalarType.Float16, nested.dtype);
            }

            using var restored = layer.call(x);
            Assert.Equal(ScalarType.BFloat16, restored.dtype);
        }

        Assert.False(Autocast.IsEnabled(DeviceType.CPU));
        using var outside = layer.call(x);
        Assert.Equal(ScalarType.Float32, outside.dtype);
    }

    [Fact]
    public void Autocast_refuses_a_dtype_it_has_no_kernels_for()
    {
        Assert.Throws<ArgumentException>(() => Autocast.Enable(DeviceType.CPU, ScalarType.Float64));
        Assert.False(Autocast.IsEnabled(DeviceType.CPU));
    }

    [Fact]
    public void A_generated_network_under_bfloat16_autocast_gives_float32_logits_within_bfloat16_precision()
    {
        using var network = new TinyResNet();
        network.eval();
        using var x = randn(4, 1, 28, 28, generator: new torch.Generator(7));
        using var reference = network.call(x);
        Tensor mixed;
        using (Autocast.Enable(DeviceType.CPU, ScalarType.BFloat16))
        {
            mixed = network.call(x);
        }

        using (mixed)
        {
            Assert.Equal(ScalarType.BFloat16, mixed.dtype);
            var error = (mixed.to(ScalarType.Float32) - reference).abs().max().item<float>();
            var scale = reference.abs().max().item<float>();

            // bfloat16 keeps 8 bits of mantissa (relative 2^-8 per rounding); a few percent of the logits' scale after ten layers.
            Assert.InRange(error, 0, 0.05 * scale);
        }
    }

    [Fact]
    public void The_grad_scaler_steps_with_unscaled_gradients_and_skips_a_step_whose_gradients_overflow()
    {
        using var weight = nn.Parameter(ones(3));
        using var optimizer = optim.SGD(new[] { weight }, 0.5);
        var scaler = new GradScaler(initialScale: 1024, growthInterval: 2);

        // A finite step: the gradient (1 per element) reaches the optimizer unscaled, so the weight moves by 0.5.
        using (var loss = weight.sum())
        using (var scaled = scaler.ScaleLoss(loss))
        {
            scaled.backward();
        }

        Assert.True(scaler.Step(optimizer, new[] { weight }));
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f }, weight.data<float>().ToArray());

        // An overflowing step: skipped, the scale halved.
        optimizer.zero_grad();
        using (var loss = (weight * float.PositiveInfinity).sum())
        {
            scaler.ScaleLoss(loss).backward();
        }

        Assert.False(scaler.Step(optimizer, new[] { weight }));
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f }, weight.data<float>().ToArray());
        Assert.Equal(512, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);

        // Two good steps in a row double it.
        scaler.Update(finite: true);
        scaler.Update(finite: true);
        Assert.Equal(1024, scaler.Scale);
    }

    [Fact]
    public void Channels_last_keeps_shape_and_values_and_lays_channels_innermost()
    {
        using var x = randn(2, 3, 4, 5);
        using var converted = ChannelsLast.Convert(x);

        Assert.Equal(x.shape, converted.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, converted.stride());
        Assert.True(ChannelsLast.IsChannelsLast(converted));
        Assert.False(ChannelsLast.IsChannelsLast(x));
        Assert.True(x.allclose(converted, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_generated_network_with_channels_last_weights_computes_the_same_and_saves_and_loads_in_both_formats()
    {
        using var network = new TinyResNet();
        network.eval();
        using var x = randn(2, 1, 28, 28, generator: new torch.Generator(3));
        using var reference = network.call(x);
        var weight = network.parameters().First(p => p.dim() == 4);

        ChannelsLast.Apply(network);
        Assert.Same(weight, network.parameters().First(p => p.dim() == 4));
        Assert.True(network.parameters().Where(p => p.dim() == 4).All(p => ChannelsLast.IsChannelsLast(p)));
        using var input = ChannelsLast.Convert(x);
        using var output = network.call(input);
        Assert.True(output.allclose(reference, rtol: 1e-4, atol: 1e-5));

        // TorchSharp's own format writes bytes as they lie; the runtime lays the weights out for it and back.
        var folder = Directory.CreateTempSubdirectory("netgen-channels-last-").FullName;
        try
        {
            foreach (var file in new[] { "w.dat", "w.pt", "w.safetensors" })
            {
                var path = Path.Combine(folder, file);
                network.SaveWeights(path);
                using var loaded = ChannelsLast.Apply(new TinyResNet());
                loaded.LoadWeights(path);
                loaded.eval();
                Assert.True(loaded.parameters().Where(p => p.dim() == 4).All(p => ChannelsLast.IsChannelsLast(p)));
                using var again = loaded.call(input);
                Assert.True(again.allclose(output, rtol: 0, atol: 0), file);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
