using System;
using System.Collections.Generic;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Net = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace NetGen.Models.Tests;

/// <summary>
/// Residual adds the shortcut into the body's output in place when the generator says that output is a
/// fresh tensor autograd does not keep (the layers' descriptors: NetworkEmitter.AddsInPlace); for each
/// ending with the generator's decision, the result, the input and the gradients must be those of the
/// plain out-of-place sum.
/// </summary>
public sealed class ResidualTests
{
    // These tests build raw layers, not a generated network: apply the oneDNN guard as a network would.
    public ResidualTests() => Platform.EnsureConfigured();

    public static TheoryData<string, bool> Endings => new()
    {
        { "conv", true },
        { "batchnorm", true },
        { "conv+relu", false },
        { "stochastic_depth", false },
        { "batchnorm+stochastic_depth", true },
        { "identity", false },
    };

    [Theory]
    [MemberData(nameof(Endings))]
    public void A_residual_computes_the_plain_sum_and_its_gradients_and_leaves_its_input_alone(string ending, bool addInPlace)
    {
        torch.manual_seed(3);
        using var residual = new Residual(Body(ending), then: nn.ReLU(inplace: true), addInPlace: addInPlace);
        residual.train();
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(2, 4, 5, 5).requires_grad_();
        var before = input.detach().clone();

        var output = residual.call(input);
        output.square().sum().backward();
        var gradient = input.grad!.clone();
        input.grad!.zero_();

        // The same computation written out of place, with the same children.
        var body = input;
        foreach (var (_, child) in residual.named_children())
        {
            body = ((Net)child).call(body);
        }

        var expected = (body + input).relu();
        expected.square().sum().backward();

        Assert.True(torch.allclose(before, input.detach(), 0, 0), "the input was modified");
        Assert.True(torch.allclose(expected, output, 1e-5, 1e-6), "the output differs");
        Assert.True(torch.allclose(input.grad!, gradient, 1e-5, 1e-6), "the input's gradient differs");
    }

    private static (string, Net)[] Body(string ending)
    {
        var layers = new List<(string, Net)>();
        foreach (var part in ending.Split('+'))
        {
            layers.Add((part, part switch
            {
                "conv" => nn.Conv2d(4, 4, 3, padding: 1),
                "batchnorm" => nn.BatchNorm2d(4),
                "relu" => nn.ReLU(inplace: true),

                // p = 0 keeps every sample: the layer then hands its input through.
                "stochastic_depth" => new StochasticDepth(0.0),
                "identity" => nn.Identity(),
                _ => throw new ArgumentOutOfRangeException(nameof(ending), ending, null),
            }));
        }

        return layers.ToArray();
    }
}
