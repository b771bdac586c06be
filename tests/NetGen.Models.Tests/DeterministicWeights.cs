using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
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

    /// <summary>Elements hashed a task, where a tensor is large enough to be worth both cores (a test waits on it).</summary>
    private const int Chunk = 1 << 16;

    public static double[] Uniform(string key, long count) => Values(key, count, 0.0, 1.0);

    /// <summary>
    /// The values of one state_dict tensor. <paramref name="damped"/> names norm weights damped as ResNet's
    /// <c>.bn3.weight</c> (the last norms of residual branches in a network the fixture asks it for).
    /// </summary>
    public static double[] Pattern(string key, long[] shape, IReadOnlySet<string>? damped = null)
    {
        var (offset, factor) = Role(key, shape, damped);
        return Values(key, shape.Aggregate(1L, (a, b) => a * b), offset, factor);
    }

    /// <summary>make_equivalence.py's <c>role</c>: a tensor's values are offset + factor * u, by its key and shape.</summary>
    private static (double Offset, double Factor) Role(string key, long[] shape, IReadOnlySet<string>? damped = null)
    {
        if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
        {
            return (0.0, 0.0);
        }

        if (key.EndsWith("running_var", StringComparison.Ordinal))
        {
            return (1.0, 0.1);
        }

        if (key.EndsWith("fc2.bias", StringComparison.Ordinal))
        {
            return (2.0, 0.02);
        }

        if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith(".bias", StringComparison.Ordinal))
        {
            return (0.0, 0.02);
        }

        if (key.EndsWith(".bn3.weight", StringComparison.Ordinal) || (damped?.Contains(key) ?? false))
        {
            return (0.2, 0.02);
        }

        if (shape.Length == 1)
        {
            return (1.0, 0.1);
        }

        return (0.0, Math.Sqrt(6.0 / shape.Skip(1).Aggregate(1L, (a, b) => a * b)));
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

    /// <summary>offset + factor * u for the key's hashed u of every element, in double as make_equivalence.py computes it.</summary>
    private static double[] Values(string key, long count, double offset, double factor)
    {
        var seed = Fnv1a(key);
        var values = new double[count];
        Parallel.For(0, (count + Chunk - 1) / Chunk, chunk =>
        {
            var end = Math.Min(count, (chunk + 1) * Chunk);
            for (var j = chunk * Chunk; j < end; j++)
            {
                var x = seed ^ unchecked((uint)((ulong)j * 0x9E3779B1ul));
                x ^= x >> 16;
                x *= 0x85EBCA6Bu;
                x ^= x >> 13;
                x *= 0xC2B2AE35u;
                x ^= x >> 16;
                values[j] = offset + (factor * (((long)(x % 2001) - 1000) / 1000.0));
            }
        });

        return values;
    }

    public static Tensor Input(string name, long[] shape) =>
        tensor(Uniform(name, shape.Aggregate(1L, (a, b) => a * b)), shape, ScalarType.Float64).to(ScalarType.Float32);
}
