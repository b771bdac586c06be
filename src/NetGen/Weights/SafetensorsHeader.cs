using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Unicode;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>One tensor a safetensors header declares, checked against the file: its bytes are in it.</summary>
/// <param name="Name">The state_dict key.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions, none negative.</param>
/// <param name="Start">Where its bytes start in the file (not in the data section).</param>
/// <param name="Length">How many bytes it has: the product of the shape times the element size.</param>
internal sealed record SafetensorsTensor(string Name, ScalarType DType, long[] Shape, long Start, long Length);

/// <summary>
/// Reads and checks a safetensors header (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian length N, N bytes of JSON mapping each name to its dtype, shape and data_offsets, then
/// the data. Nothing in the header is trusted: every size is checked against the file with checked
/// arithmetic before anything is allocated, so a 10-byte file cannot ask for gigabytes.
/// </summary>
internal static class SafetensorsHeader
{
    private const int LengthBytes = 8;

    private const string MetadataKey = "__metadata__";

    /// <summary>The dtypes NetGen reads, with TorchSharp's type and the bytes per element.</summary>
    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>The tensors of the file open in <paramref name="stream"/> (at its start), in file order.</summary>
    /// <exception cref="WeightLoadException">The header is malformed or declares bytes the file does not hold.</exception>
    public static IReadOnlyList<SafetensorsTensor> Read(Stream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < LengthBytes)
        {
            throw Fault(path, fileLength == 0 ? "the file is empty" : $"the file has {fileLength} bytes; a safetensors file starts with an 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[LengthBytes];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        var afterLength = fileLength - LengthBytes;
        if (headerLength > (ulong)afterLength)
        {
            throw Fault(path, $"the header length says {headerLength:#,0} bytes, but only {afterLength:#,0} follow it");
        }

        if ((long)headerLength > WeightFile.MaxIndexBytes)
        {
            throw Fault(path, $"the header has {headerLength:#,0} bytes, over the {WeightFile.MaxIndexBytes:#,0} a safetensors header may have");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = LengthBytes + (long)headerLength;
        var tensors = Parse(header, path, dataStart, fileLength - dataStart);
        RequireDisjoint(tensors, path);
        return tensors.OrderBy(t => t.Start).ToList();
    }

    private static List<SafetensorsTensor> Parse(byte[] header, string path, long dataStart, long dataLength)
    {
        if (!Utf8.IsValid(header))
        {
            throw Fault(path, "the header is not UTF-8 text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException error)
        {
            throw Fault(path, $"the header is not valid JSON ({error.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Fault(path, $"the header is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object of tensors");
            }

            try
            {
                return Tensors(document.RootElement, path, dataStart, dataLength);
            }
            catch (InvalidOperationException error)
            {
                // Valid UTF-8 can still escape a lone surrogate ("\ud800"), which no .NET string can hold.
                throw Fault(path, $"the header has a name or string that is not valid Unicode ({error.Message})");
            }
        }
    }

    private static List<SafetensorsTensor> Tensors(JsonElement header, string path, long dataStart, long dataLength)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensor>();
        foreach (var property in header.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw Fault(path, $"the header names '{property.Name}' twice", property.Name);
            }

            if (property.Name == MetadataKey)
            {
                RequireMetadata(property.Value, path);
                continue;
            }

            tensors.Add(Tensor(property, path, dataStart, dataLength));
        }

        return tensors;
    }

    /// <summary>One entry: a known dtype, a shape of non-negative integers, and data_offsets that hold exactly its bytes.</summary>
    private static SafetensorsTensor Tensor(JsonProperty property, string path, long dataStart, long dataLength)
    {
        var name = property.Name;
        var entry = property.Value;
        WeightLoadException Bad(string problem) => Fault(path, $"tensor '{name}' {problem}", name);

        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Bad("is not an object with dtype, shape and data_offsets");
        }

        var dtypeName = entry.TryGetProperty("dtype", out var dtypeElement) && dtypeElement.ValueKind == JsonValueKind.String
            ? dtypeElement.GetString()!
            : throw Bad("has no dtype string");
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
        {
            throw Bad($"has dtype '{dtypeName}', which NetGen does not read (it reads {string.Join(", ", DTypes.Keys)})");
        }

        var shape = Integers(entry, "shape", Bad);
        var negative = Array.FindIndex(shape, d => d < 0);
        if (negative >= 0)
        {
            throw Bad($"has the negative dimension {shape[negative]} in its shape {Text(shape)}");
        }

        long byteCount;
        try
        {
            byteCount = checked(shape.Aggregate(1L, (product, dimension) => product * dimension) * dtype.Size);
        }
        catch (OverflowException)
        {
            throw Bad($"has shape {Text(shape)} of {dtypeName}, whose byte count does not fit in 64 bits");
        }

        var offsets = Integers(entry, "data_offsets", Bad);
        if (offsets.Length != 2)
        {
            throw Bad($"has data_offsets {Text(offsets)}; they are two numbers, [begin, end]");
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (begin < 0 || end < begin || end > dataLength)
        {
            throw Bad($"has data_offsets {Text(offsets)} outside the data section, which has {dataLength:#,0} bytes");
        }

        if (end - begin != byteCount)
        {
            throw Bad($"has shape {Text(shape)} of {dtypeName}, which needs {byteCount:#,0} bytes, but its data_offsets {Text(offsets)} hold {end - begin:#,0}");
        }

        return new SafetensorsTensor(name, dtype.Type, shape, dataStart + begin, byteCount);
    }

    private static long[] Integers(JsonElement entry, string field, Func<string, WeightLoadException> bad)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw bad($"has no {field} array");
        }

        return array.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out var value) ? value : throw bad($"has {field} {array.GetRawText()}, which holds something other than 64-bit integers"))
            .ToArray();
    }

    /// <summary>The metadata is a map of strings, as the format says; nothing else reads it.</summary>
    private static void RequireMetadata(JsonElement metadata, string path)
    {
        if (metadata.ValueKind != JsonValueKind.Object || metadata.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw Fault(path, $"its {MetadataKey} is not an object of strings");
        }
    }

    /// <summary>No two tensors share bytes, so together they can never ask for more memory than the file has.</summary>
    private static void RequireDisjoint(List<SafetensorsTensor> tensors, string path)
    {
        var ordered = tensors.Where(t => t.Length > 0).OrderBy(t => t.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Start < ordered[i - 1].Start + ordered[i - 1].Length)
            {
                throw Fault(path, $"tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap in the data section", ordered[i].Name);
            }
        }
    }

    private static WeightLoadException Fault(string path, string problem, string? key = null) =>
        WeightLoadException.InFile(path, "not a valid safetensors file: " + problem, key);

    private static string Text(long[] numbers) => "[" + string.Join(", ", numbers) + "]";
}
