using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Loading and saving state_dicts: PyTorch's <c>torch.save</c> format (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>, <c>.ckpt</c>),
/// safetensors (<c>.safetensors</c>) and TorchSharp's own format (any other extension). Loading is
/// strict by default: every key of the network must be in the file with the same shape, and the file
/// may hold no other key. Tensors are copied into the network's own, so they keep its device and dtype.
/// A file is never trusted: it must be a regular file, and every size it declares is checked against
/// its length before anything is allocated; every fault is a <see cref="WeightLoadException"/>.
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
    /// <exception cref="WeightLoadException">
    /// The file is missing, not a regular file, malformed, or declares more bytes than it holds
    /// (<see cref="WeightLoadException.FilePath"/> names it); or, with <paramref name="strict"/>, a key is
    /// missing, unexpected or has another shape (<see cref="WeightLoadException.Key"/> names it).
    /// </exception>
    public static T LoadWeights<T>(this T module, string path, bool strict = true)
        where T : nn.Module
    {
        if (FormatOf(path) == Format.TorchSharp)
        {
            TorchSharpFormat.Load(module, path, strict);
            return module;
        }

        using var scope = NewDisposeScope();
        module.LoadStateDict(ReadStateDict(path), strict, path);
        return module;
    }

    /// <summary>Saves the module's state_dict (format chosen by extension): a <c>.pt</c> file loads with <c>torch.load</c> in Python.</summary>
    /// <remarks>An existing file is replaced whole (PyBridge's and TorchSharp's path overloads open it without truncating, leaving a longer old file's tail behind).</remarks>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static T SaveWeights<T>(this T module, string path)
        where T : nn.Module
    {
        switch (FormatOf(path))
        {
            case Format.PyTorch:
                using (var scope = NewDisposeScope())
                using (var file = File.Create(path))
                {
                    var state = new Hashtable();
                    foreach (var (key, tensor) in module.state_dict())
                    {
                        // PyBridge writes a tensor's bytes as they lie: a permuted (channels-last) one must be laid out first.
                        state[key] = tensor.detach().cpu().contiguous();
                    }

                    PyTorchPickler.PickleStateDict(file, state);
                }

                break;
            case Format.Safetensors:
                using (var scope = NewDisposeScope())
                using (var file = File.Create(path))
                {
                    Safetensors.SaveStateDict(file, module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous()));
                }

                break;
            default:
                using (var file = File.Create(path))
                using (var writer = new BinaryWriter(file))
                {
                    ChannelsLast.WhileContiguous(module.state_dict().Values, () => module.save(writer));
                }

                break;
        }

        return module;
    }

    /// <summary>Reads a PyTorch or safetensors state_dict file; the caller owns the tensors.</summary>
    /// <exception cref="WeightLoadException">The file is missing, not a regular file, malformed, or declares more bytes than it holds.</exception>
    /// <exception cref="NotSupportedException">The extension is neither PyTorch's nor safetensors' (read TorchSharp's format with <see cref="LoadWeights"/>).</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path) => FormatOf(path) switch
    {
        Format.PyTorch => PyTorchReader.Read(path),
        Format.Safetensors => SafetensorsReader.Read(path),
        _ => throw new NotSupportedException($"'{path}': read TorchSharp-format files with LoadWeights; ReadStateDict reads .pt/.pth/.bin/.ckpt and .safetensors."),
    };

    /// <summary>
    /// Copies a state_dict into the module. With <paramref name="strict"/>, every key of the module must
    /// be present with the same shape and no other key may be; otherwise only matching keys are copied.
    /// <paramref name="origin"/>, the file the state_dict came from, is quoted in messages and given as
    /// <see cref="WeightLoadException.FilePath"/>.
    /// </summary>
    /// <exception cref="WeightLoadException">With <paramref name="strict"/>, a key is missing, unexpected or has another shape.</exception>
    public static void LoadStateDict(this nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true, string? origin = null)
    {
        var from = origin is null ? "the state_dict" : $"'{origin}'";
        WeightLoadException Mismatch(string key, string message) => new(message, key, origin, innerException: null);
        var target = module.state_dict();
        if (strict)
        {
            foreach (var (key, tensor) in target)
            {
                if (!source.TryGetValue(key, out var given))
                {
                    throw Mismatch(key, $"{from} has no '{key}' (shape {Shape(tensor)}), which {module.GetName()} needs; load with strict: false to skip it.");
                }

                if (!given.shape.SequenceEqual(tensor.shape))
                {
                    throw Mismatch(key, $"'{key}' has shape {Shape(given)} in {from} but {Shape(tensor)} in {module.GetName()}.");
                }
            }

            foreach (var key in source.Keys)
            {
                if (!target.ContainsKey(key))
                {
                    throw Mismatch(key, $"{from} has '{key}', which {module.GetName()} does not have; load with strict: false to ignore it.");
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
