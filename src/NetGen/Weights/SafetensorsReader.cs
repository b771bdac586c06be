using System;
using System.Collections.Generic;
using System.IO;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Reads a safetensors file into CPU tensors, after <see cref="SafetensorsHeader"/> has checked every
/// declared size against the file: what is allocated is what the file holds, never more.
/// </summary>
internal static class SafetensorsReader
{
    // Tensors are filled through spans, which cannot pass 2 GB; 64 MiB at a time keeps each one small.
    private const long ChunkBytes = 64L * 1024 * 1024;

    /// <exception cref="WeightLoadException">The file is missing, not regular, malformed, or cannot be read.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = WeightFile.Open(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var declared in SafetensorsHeader.Read(stream, path))
            {
                result[declared.Name] = ReadTensor(stream, declared);
            }

            return result;
        }
        catch (IOException error)
        {
            Dispose(result);
            throw WeightLoadException.InFile(path, $"reading it failed ({error.Message}); was it changed while it was read?", innerException: error);
        }
        catch
        {
            Dispose(result);
            throw;
        }
    }

    private static Tensor ReadTensor(Stream stream, SafetensorsTensor declared)
    {
        var tensor = empty(declared.Shape, declared.DType, CPU);
        try
        {
            stream.Position = declared.Start;
            using var flat = tensor.view(-1);
            var elementsPerChunk = Math.Max(1, ChunkBytes / tensor.ElementSize);
            for (long first = 0; first < flat.shape[0]; first += elementsPerChunk)
            {
                using var chunk = flat.narrow(0, first, Math.Min(elementsPerChunk, flat.shape[0] - first));
                stream.ReadExactly(chunk.bytes);
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static void Dispose(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
