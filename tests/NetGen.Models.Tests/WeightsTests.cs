using System;
using System.IO;
using System.Linq;
using NetGen.Examples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

public sealed class WeightsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-weights-" + Guid.NewGuid().ToString("N"));

    public WeightsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("weights.pt")]
    [InlineData("weights.safetensors")]
    [InlineData("weights.dat")]
    public void Weights_saved_in_each_format_load_back_exactly(string file)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(_folder, file);
        using var original = new TinyResNet();
        original.train();
        original.call(randn(4, 1, 28, 28)); // moves the BatchNorm statistics away from their initial values
        original.SaveWeights(path);

        using var copy = new TinyResNet();
        copy.LoadWeights(path);
        var expected = original.state_dict();
        foreach (var (key, tensor) in copy.state_dict())
        {
            Assert.True(tensor.eq(expected[key]).all().item<bool>(), $"{key} differs after a round trip through {file}");
        }

        original.eval();
        copy.eval();
        var input = randn(2, 1, 28, 28);
        Assert.True(original.call(input).eq(copy.call(input)).all().item<bool>());
    }

    [Theory]
    [InlineData("weights.pt")]
    [InlineData("weights.safetensors")]
    [InlineData("weights.dat")]
    public void Saving_over_a_longer_file_replaces_it_whole(string file)
    {
        var fresh = Path.Combine(_folder, "fresh-" + file);
        var reused = Path.Combine(_folder, file);
        File.WriteAllBytes(reused, new byte[4 * 1024 * 1024]);
        using var tiny = new TinyResNet();

        tiny.SaveWeights(fresh);
        tiny.SaveWeights(reused);

        // Lengths, not bytes: a zip archive stamps its entries with the time.
        Assert.Equal(new FileInfo(fresh).Length, new FileInfo(reused).Length);
        tiny.LoadWeights(reused);
    }

    [Fact]
    public void A_file_with_another_shape_names_the_key()
    {
        var path = Path.Combine(_folder, "ten.pt");
        using (var ten = new TinyResNet(numClasses: 10))
        {
            ten.SaveWeights(path);
        }

        using var five = new TinyResNet(numClasses: 5);
        var error = Assert.Throws<WeightLoadException>(() => five.LoadWeights(path));
        Assert.Equal("fc.weight", error.Key);
        Assert.Contains("[10, 64]", error.Message);
        Assert.Contains("[5, 64]", error.Message);

        // Not strict: everything that fits is loaded, the head keeps its own values.
        five.LoadWeights(path, strict: false);
    }

    [Fact]
    public void A_file_of_another_network_names_the_first_missing_key()
    {
        var path = Path.Combine(_folder, "tiny.safetensors");
        using (var tiny = new TinyResNet())
        {
            tiny.SaveWeights(path);
        }

        using var resnet = new ResNet18();
        var error = Assert.Throws<WeightLoadException>(() => resnet.LoadWeights(path));
        Assert.Equal("conv1.weight", error.Key);
        Assert.Contains("has no 'conv1.weight'", error.Message);
    }

    [Fact]
    public void A_file_with_extra_keys_is_rejected_when_strict()
    {
        var path = Path.Combine(_folder, "extra.pt");
        using var tiny = new TinyResNet();
        var state = tiny.state_dict().ToDictionary(p => p.Key, p => p.Value);
        state["extra.weight"] = zeros(3);
        Safe(() => TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(path, new System.Collections.Hashtable(state)));
        var error = Assert.Throws<WeightLoadException>(() => tiny.LoadWeights(path));
        Assert.Equal("extra.weight", error.Key);
    }

    [Fact]
    public void Loading_keeps_the_networks_device_and_dtype()
    {
        var path = Path.Combine(_folder, "double.pt");
        using (var source = new TinyResNet())
        {
            source.to(ScalarType.Float64).SaveWeights(path);
        }

        using var target = new TinyResNet();
        target.LoadWeights(path);
        Assert.All(target.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    private static void Safe(Action action) => action();
}
