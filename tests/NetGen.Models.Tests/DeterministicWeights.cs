using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Models.Tests;

/// <summary>
/// The deterministic pattern of tests/reference/make_equivalence.py, bit for bit: an integer hash of
/// a tensor's key and each element's index gives a value in [-1, 1] (computed in double, exact on
/// both sides), scaled by the tensor's role, which its key and shape alone decide.
/// </summary>
public static class DeterministicWeights
{
    public static uint Fnv1a(string text)
    {
        var hash = 0x811C9DC5u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 0x01000193u;
        }

        return hash;
    }

    public static double[] Uniform(string key, long count)
    {
        var seed = Fnv1a(key);
        var values = new double[count];
        for (long j = 0; j < count; j++)
        {
            var x = seed ^ unchecked((uint)((ulong)j * 0x9E3779B1ul));
            x ^= x >> 16;
            x *= 0x85EBCA6Bu;
            x ^= x >> 13;
            x *= 0xC2B2AE35u;
            x ^= x >> 16;
            values[j] = ((long)(x % 2001) - 1000) / 1000.0;
        }

        return values;
    }

    /// <summary>
    /// The values of one state_dict tensor. <paramref name="damped"/> names norm weights damped as ResNet's
    /// <c>.bn3.weight</c> (the last norms of residual branches in a network the fixture asks it for).
    /// </summary>
    public static double[] Pattern(string key, long[] shape, IReadOnlySet<string>? damped = null)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var u = Uniform(key, count);
        if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
        {
            return new double[count];
        }

        if (key.EndsWith("running_var", StringComparison.Ordinal))
        {
            return u.Select(v => 1.0 + (0.1 * v)).ToArray();
        }

        if (key.EndsWith("fc2.bias", StringComparison.Ordinal))
        {
            return u.Select(v => 2.0 + (0.02 * v)).ToArray();
        }

        if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith(".bias", StringComparison.Ordinal))
        {
            return u.Select(v => 0.02 * v).ToArray();
        }

        if (key.EndsWith(".bn3.weight", StringComparison.Ordinal) || (damped?.Contains(key) ?? false))
        {
            return u.Select(v => 0.2 + (0.02 * v)).ToArray();
        }

        if (shape.Length == 1)
        {
            return u.Select(v => 1.0 + (0.1 * v)).ToArray();
        }

        var scale = Math.Sqrt(6.0 / shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        return u.Select(v => v * scale).ToArray();
    }

    /// <summary>Fills every state_dict tensor of the module with its pattern.</summary>
    public static void Fill(nn.Module module, IReadOnlySet<string>? damped = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (key, target) in module.state_dict())
        {
            var values = tensor(Pattern(key, target.shape, damped), target.shape, ScalarType.Float64);
            target.copy_(values.to(target.dtype));
        }
    }

    public static Tensor Input(string name, long[] shape) =>
        tensor(Uniform(name, shape.Aggregate(1L, (a, b) => a * b)), shape, ScalarType.Float64).to(ScalarType.Float32);
}
