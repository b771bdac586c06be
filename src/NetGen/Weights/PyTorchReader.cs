using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// Reads PyTorch's <c>torch.save</c> files (a zip archive: <c>data.pkl</c>, a pickle that names each
/// tensor's storage, dtype, shape and strides, and one entry per storage) through TorchSharp.PyBridge,
/// in two passes over one open file: first the pickle alone, to check that every tensor fits in the
/// storage entry it reads from; then the tensors. Whatever PyBridge, its pickle reader or the zip reader
/// throw on a malformed file becomes a <see cref="WeightLoadException"/> that names the file.
/// </summary>
internal static class PyTorchReader
{
    private static readonly byte[] ZipSignature = { 0x50, 0x4B, 0x03, 0x04 };

    /// <summary>DEFLATE never expands data by more than 1032 to 1, so an entry that claims more is lying.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <exception cref="WeightLoadException">The file is missing, not regular, malformed, or declares tensors larger than their storage.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = WeightFile.Open(path);
        var entryLengths = EntryLengths(stream, path);
        CheckDeclaredSizes(Unpickle(stream, path, skipTensorRead: true), entryLengths, path);

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Unpickle(stream, path, skipTensorRead: false))
        {
            if (entry.Key is string key && entry.Value is Tensor tensor)
            {
                result[key] = tensor;
            }
        }

        return result;
    }

    /// <summary>
    /// The uncompressed length of every archive entry, by its index (PyBridge finds storages by index),
    /// each checked against the bytes the entry really has in the file: the zip directory is not trusted.
    /// </summary>
    private static long[] EntryLengths(FileStream stream, string path)
    {
        Span<byte> signature = stackalloc byte[ZipSignature.Length];
        if (stream.Length == 0)
        {
            throw Fault(path, "the file is empty");
        }

        if (stream.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false) < signature.Length || !signature.SequenceEqual(ZipSignature))
        {
            throw Fault(path, "it is not a zip archive, which torch.save has written since PyTorch 1.6 (an older file: load it in Python and save it again)");
        }

        try
        {
            stream.Position = 0;
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var pickle = archive.Entries.FirstOrDefault(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal))
                ?? throw Fault(path, "the zip archive has no data.pkl, so torch.save did not write it");
            if (pickle.Length > WeightFile.MaxIndexBytes)
            {
                throw Fault(path, $"its pickle has {pickle.Length:#,0} bytes, over the {WeightFile.MaxIndexBytes:#,0} NetGen reads");
            }

            foreach (var entry in archive.Entries)
            {
                if (entry.CompressedLength > stream.Length || entry.Length > entry.CompressedLength * MaxDeflateRatio)
                {
                    throw Fault(path, $"archive entry '{entry.FullName}' claims {entry.Length:#,0} bytes from {entry.CompressedLength:#,0} stored, more than zip compression can hold");
                }
            }

            return archive.Entries.Select(e => e.Length).ToArray();
        }
        catch (InvalidDataException error)
        {
            throw Fault(path, $"the zip archive is damaged or cut short ({FirstLine(error.Message)})", innerException: error);
        }
    }

    /// <summary>PyBridge's reader over the file from its start; its failures on malformed input become a <see cref="WeightLoadException"/>.</summary>
    private static Hashtable Unpickle(FileStream stream, string path, bool skipTensorRead)
    {
        stream.Position = 0;
        try
        {
            return PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: skipTensorRead);
        }
        catch (Exception error) when (IsMalformedInput(error))
        {
            throw Fault(path, $"its pickle cannot be read ({error.GetType().Name}: {FirstLine(error.Message)})", innerException: error);
        }
    }

    /// <summary>Every tensor the pickle declares must fit in its storage entry, so reading allocates no more than the file holds per tensor.</summary>
    private static void CheckDeclaredSizes(Hashtable table, long[] entryLengths, string path)
    {
        var declared = PickledTensor.FindAll(table);
        try
        {
            foreach (var (key, tensor) in declared)
            {
                if (tensor.Problem(entryLengths) is { } problem)
                {
                    throw Fault(path, $"tensor '{key}' {problem}", key);
                }
            }
        }
        finally
        {
            foreach (var (_, tensor) in declared)
            {
                tensor.Data.Dispose();
            }
        }
    }

    /// <summary>
    /// What PyBridge, Razorvine's pickle reader, the zip reader and libtorch throw on malformed files, found
    /// by damaging files (see the random-damage test). PyBridge casts and indexes the pickle's objects
    /// unchecked, so a cast, index or null fault there is a fault of the file, not of NetGen.
    /// </summary>
    private static bool IsMalformedInput(Exception error) => error is
        Razorvine.Pickle.PickleException
        or InvalidDataException
        or IOException
        or FormatException
        or InvalidCastException
        or InvalidOperationException
        or IndexOutOfRangeException
        or NullReferenceException
        or ArgumentException
        or NotImplementedException
        or System.Runtime.InteropServices.ExternalException;

    /// <summary>libtorch appends its native stack to a message; the first line is the message.</summary>
    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    private static WeightLoadException Fault(string path, string problem, string? key = null, Exception? innerException = null) =>
        WeightLoadException.InFile(path, "not a valid torch.save file: " + problem, key, innerException);
}
