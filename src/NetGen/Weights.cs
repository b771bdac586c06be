using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>A weights file that does not fit the network: names the first offending key.</summary>
public sealed class WeightLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public WeightLoadException(string key, string message)
        : base(message)
    {
        Key = key;
    }

    /// <summary>The state_dict key that is missing, unexpected or mis-shaped.</summary>
    public string Key { get; }
}

/// <summary>
/// Loading and saving state_dicts: PyTorch's <c>torch.save</c> format (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>),
/// safetensors (<c>.safetensors</c>) and TorchSharp's own format (any other extension). Loading is
/// strict by default: every key of the network must be in the file with the same shape, and the file
/// may hold no other key. Tensors are copied into the network's own, so they keep its device and dtype.
/// </summary>
public static class Weights
{
    private enum Format
    {
        PyTorch,
        Safetensors,
        TorchSharp,
    }

    private static Format FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pt" or ".pth" or ".bin" or ".ckpt" => Format.PyTorch,
        ".safetensors" => Format.Safetensors,
        _ => Format.TorchSharp,
    };

    /// <summary>Loads a state_dict file into the module (format chosen by extension); returns the module.</summary>
    /// <exception cref="WeightLoadException">With <paramref name="strict"/>, a key is missing, unexpected or has another shape.</exception>
    public static T LoadWeights<T>(this T module, string path, bool strict = true)
        where T : nn.Module
    {
        if (FormatOf(path) == Format.TorchSharp)
        {
            // TorchSharp's format stores tensors in registration order; read it into a twin dictionary by key.
            module.load(path, strict);
            return module;
        }

        using var scope = NewDisposeScope();
        module.LoadStateDict(ReadStateDict(path), strict, path);
        return module;
    }

    /// <summary>Saves the module's state_dict (format chosen by extension): a <c>.pt</c> file loads with <c>torch.load</c> in Python.</summary>
    public static T SaveWeights<T>(this T module, string path)
        where T : nn.Module
    {
        switch (FormatOf(path))
        {
            case Format.PyTorch:
                using (var scope = NewDisposeScope())
                {
                    var state = new Hashtable();
                    foreach (var (key, tensor) in module.state_dict())
                    {
                        state[key] = tensor.detach().cpu();
                    }

                    PyTorchPickler.PickleStateDict(path, state);
                }

                break;
            case Format.Safetensors:
                using (var scope = NewDisposeScope())
                {
                    Safetensors.SaveStateDict(path, module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu()));
                }

                break;
            default:
                module.save(path);
                break;
        }

        return module;
    }

    /// <summary>Reads a PyTorch or safetensors state_dict file; the caller owns the tensors.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        switch (FormatOf(path))
        {
            case Format.PyTorch:
                var table = PyTorchUnpickler.UnpickleStateDict(path);
                var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in table)
                {
                    if (entry.Key is string key && entry.Value is Tensor tensor)
                    {
                        result[key] = tensor;
                    }
                }

                return result;
            case Format.Safetensors:
                return Safetensors.LoadStateDict(path);
            default:
                throw new NotSupportedException($"'{path}': read TorchSharp-format files with LoadWeights; ReadStateDict reads .pt/.pth/.bin and .safetensors.");
        }
    }

    /// <summary>
    /// Copies a state_dict into the module. With <paramref name="strict"/>, every key of the module must
    /// be present with the same shape and no other key may be; otherwise only matching keys are copied.
    /// </summary>
    public static void LoadStateDict(this nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true, string? origin = null)
    {
        var from = origin is null ? "the state_dict" : $"'{origin}'";
        var target = module.state_dict();
        if (strict)
        {
            foreach (var (key, tensor) in target)
            {
                if (!source.TryGetValue(key, out var given))
                {
                    throw new WeightLoadException(key, $"{from} has no '{key}' (shape {Shape(tensor)}), which {module.GetName()} needs; load with strict: false to skip it.");
                }

                if (!given.shape.SequenceEqual(tensor.shape))
                {
                    throw new WeightLoadException(key, $"'{key}' has shape {Shape(given)} in {from} but {Shape(tensor)} in {module.GetName()}.");
                }
            }

            foreach (var key in source.Keys)
            {
                if (!target.ContainsKey(key))
                {
                    throw new WeightLoadException(key, $"{from} has '{key}', which {module.GetName()} does not have; load with strict: false to ignore it.");
                }
            }
        }

        using var noGrad = no_grad();
        foreach (var (key, tensor) in target)
        {
            if (source.TryGetValue(key, out var given) && given.shape.SequenceEqual(tensor.shape))
            {
                tensor.copy_(given);
            }
        }
    }

    private static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
