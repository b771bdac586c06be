using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// A tensor that PyBridge found in a <c>torch.save</c> pickle but has not read (its <c>skipTensorRead</c>
/// mode): dtype, shape, strides, storage offset, and the archive entry its bytes come from. PyBridge 1.4.4
/// hands these out as an internal type (<c>PyTorchUnpickler.TensorConstructorArgs</c>), so its public
/// properties are read by name; the oversized-tensor tests fail if they move.
/// </summary>
internal sealed record PickledTensor(ScalarType DType, long[] Shape, long[] Stride, int StorageOffset, int ArchiveIndex, Stream Data)
{
    private const string DescriptorType = "TorchSharp.PyBridge.PyTorchUnpickler+TensorConstructorArgs";

    /// <summary>
    /// Every tensor anywhere in the unpickled object (a state_dict, or a checkpoint that nests one), with
    /// the top-level key it sits under. Walked without recursion and once per object: a pickle can nest
    /// deeply and refer to itself.
    /// </summary>
    public static List<(string Key, PickledTensor Tensor)> FindAll(Hashtable table)
    {
        var found = new List<(string, PickledTensor)>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object? Value, string Key)>();
        foreach (DictionaryEntry entry in table)
        {
            pending.Push((entry.Value, entry.Key as string ?? "?"));
        }

        while (pending.Count > 0)
        {
            var (value, key) = pending.Pop();
            if (value is null or string || !seen.Add(value))
            {
                continue;
            }

            if (value.GetType().FullName == DescriptorType)
            {
                found.Add((key, From(value)));
            }
            else if (value is IDictionary dictionary)
            {
                foreach (var item in dictionary.Values)
                {
                    pending.Push((item, key));
                }
            }
            else if (value is IEnumerable items && !IsArrayOfValues(value))
            {
                foreach (var item in items)
                {
                    pending.Push((item, key));
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Null when the tensor fits in its storage entry; else what is wrong. PyBridge allocates the whole
    /// shape and reads it from the entry, so both the shape's bytes and the strided extent must fit.
    /// </summary>
    public string? Problem(IReadOnlyList<long> entryLengths)
    {
        if (ArchiveIndex < 0 || ArchiveIndex >= entryLengths.Count)
        {
            return $"refers to archive entry {ArchiveIndex}, which the archive does not have";
        }

        if (Shape.Length != Stride.Length || Shape.Any(d => d < 0) || Stride.Any(s => s < 0) || StorageOffset < 0)
        {
            return $"has shape {Text(Shape)}, strides {Text(Stride)} and storage offset {StorageOffset}, which do not describe a tensor";
        }

        var elementSize = ElementSize(DType);
        var storage = entryLengths[ArchiveIndex];
        try
        {
            var elements = Shape.Aggregate(1L, (product, dimension) => checked(product * dimension));
            var extent = elements == 0 ? 0 : checked(StorageOffset + 1 + Shape.Zip(Stride, (d, s) => checked((d - 1) * s)).Sum());
            var needed = checked(Math.Max(elements, extent) * elementSize);
            return needed <= storage
                ? null
                : $"has shape {Text(Shape)} of {DType}, which needs {needed:#,0} bytes, but its storage holds {storage:#,0}";
        }
        catch (OverflowException)
        {
            return $"has shape {Text(Shape)} of {DType}, whose byte count does not fit in 64 bits";
        }
    }

    /// <summary>Pickled bytes and array.array values hold no tensors; walking them would box every element.</summary>
    private static bool IsArrayOfValues(object value) => value is Array array && array.GetType().GetElementType() is { IsValueType: true };

    private static PickledTensor From(object descriptor)
    {
        T Property<T>(string name) => descriptor.GetType().GetProperty(name)?.GetValue(descriptor) is T value
            ? value
            : throw new InvalidOperationException($"TorchSharp.PyBridge's {DescriptorType} has no {name} of type {typeof(T).Name}; update {nameof(PickledTensor)} for the PyBridge version in use");
        return new PickledTensor(
            Property<ScalarType>("DType"),
            Property<long[]>("Shape"),
            Property<long[]>("Stride"),
            Property<int>("StorageOffset"),
            Property<int>("ArchiveIndex"),
            Property<Stream>("Data"));
    }

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "PyBridge reads no storage of this type"),
    };

    private static string Text(long[] numbers) => "[" + string.Join(", ", numbers) + "]";
}
