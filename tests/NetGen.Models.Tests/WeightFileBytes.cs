using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace NetGen.Models.Tests;

/// <summary>
/// Weights files written byte by byte, so that they can lie: a safetensors header with any length and
/// JSON, and a <c>torch.save</c> archive whose pickle declares any shape over a storage of any size.
/// </summary>
internal static class WeightFileBytes
{
    /// <summary>An 8-byte little-endian header length (the JSON's own unless given), the JSON, then <paramref name="dataBytes"/> zero bytes.</summary>
    public static byte[] Safetensors(string json, int dataBytes, ulong? declaredLength = null) =>
        Safetensors(Encoding.UTF8.GetBytes(json), dataBytes, declaredLength);

    /// <summary>The same with the header's own bytes, which need not be UTF-8.</summary>
    public static byte[] Safetensors(byte[] header, int dataBytes, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>One float32 tensor 'w' of <paramref name="shape"/> (contiguous strides) over a storage of <paramref name="storageFloats"/> floats.</summary>
    public static byte[] TorchSave(int[] shape, int storageFloats)
    {
        var strides = shape.Select((_, i) => shape.Skip(i + 1).Aggregate(1, (product, d) => product * d)).ToArray();
        return Zip(("archive/data.pkl", TensorPickle(shape, strides, storageFloats)), ("archive/data/0", new byte[storageFloats * 4]));
    }

    /// <summary>A zip archive of the named entries, stored uncompressed as torch.save stores them.</summary>
    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var bytes = new MemoryStream();
        using (var archive = new ZipArchive(bytes, ZipArchiveMode.Create))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>The zip archive with the uncompressed size its central directory gives <paramref name="entry"/> changed to <paramref name="claimed"/>.</summary>
    public static byte[] WithClaimedLength(byte[] zip, string entry, uint claimed)
    {
        const uint CentralHeader = 0x02014b50;
        var bytes = (byte[])zip.Clone();
        for (var at = 0; at + 46 <= bytes.Length; at++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 28));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) == CentralHeader
                && Encoding.UTF8.GetString(bytes, at + 46, Math.Min(nameLength, bytes.Length - at - 46)) == entry)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 24), claimed);
                return bytes;
            }
        }

        throw new ArgumentException($"the archive has no entry '{entry}'", nameof(entry));
    }

    /// <summary>
    /// The pickle (protocol 2) that <c>torch.save({"w": tensor})</c> writes, opcode by opcode:
    /// <c>{"w": torch._utils._rebuild_tensor_v2(persistent_load(("storage", torch.FloatStorage, "0", "cpu", n)),
    /// 0, shape, strides, False, collections.OrderedDict())}</c>.
    /// </summary>
    private static byte[] TensorPickle(int[] shape, int[] strides, int storageFloats)
    {
        var pickle = new MemoryStream();
        void Op(char opcode) => pickle.WriteByte((byte)opcode);
        void Text(string text)
        {
            Op('X'); // BINUNICODE: 4-byte length, UTF-8
            pickle.Write(BitConverter.GetBytes(text.Length));
            pickle.Write(Encoding.UTF8.GetBytes(text));
        }

        void Int(int value)
        {
            Op('J'); // BININT: 4 bytes, little-endian
            pickle.Write(BitConverter.GetBytes(value));
        }

        void Global(string module, string name) => pickle.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));
        void Tuple(int[] values)
        {
            Op('(');
            Array.ForEach(values, Int);
            Op('t');
        }

        pickle.Write(new byte[] { 0x80, 2 }); // PROTO 2
        Op('}'); // EMPTY_DICT
        Text("w");
        Global("torch._utils", "_rebuild_tensor_v2");
        Op('('); // MARK: the arguments
        Op('('); // MARK: the persistent id
        Text("storage");
        Global("torch", "FloatStorage");
        Text("0");
        Text("cpu");
        Int(storageFloats);
        Op('t'); // TUPLE
        Op('Q'); // BINPERSID
        Int(0); // storage offset
        Tuple(shape);
        Tuple(strides);
        pickle.WriteByte(0x89); // NEWFALSE: requires_grad
        Global("collections", "OrderedDict");
        Op(')'); // EMPTY_TUPLE
        Op('R'); // REDUCE: the backward hooks, OrderedDict()
        Op('t'); // TUPLE of the arguments
        Op('R'); // REDUCE: _rebuild_tensor_v2(*arguments)
        Op('s'); // SETITEM
        Op('.'); // STOP
        return pickle.ToArray();
    }
}
