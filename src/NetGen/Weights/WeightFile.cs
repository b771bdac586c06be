using System;
using System.IO;

namespace NetGen;

/// <summary>Opens a weights file for reading, or says in a <see cref="WeightLoadException"/> why it cannot.</summary>
internal static class WeightFile
{
    /// <summary>
    /// The most NetGen reads of a file's index (a safetensors header, a torch.save pickle): 100 MB, the
    /// safetensors reference reader's own limit. Real ones are well under a megabyte.
    /// </summary>
    public const long MaxIndexBytes = 100_000_000;

    /// <summary>The file, opened only when it is a regular one (a FIFO would block the open, <c>/dev/zero</c> never end).</summary>
    /// <exception cref="WeightLoadException">The path is missing, not a regular file, or cannot be opened.</exception>
    public static FileStream Open(string path)
    {
        if (RegularFile.Problem(path) is { } problem)
        {
            throw WeightLoadException.InFile(path, "the path " + problem);
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw WeightLoadException.InFile(path, error.Message, innerException: error);
        }
    }

    /// <summary>Fails unless the path is a regular file; for readers that open it themselves.</summary>
    /// <exception cref="WeightLoadException">The path is missing or not a regular file.</exception>
    public static void RequireRegular(string path)
    {
        if (RegularFile.Problem(path) is { } problem)
        {
            throw WeightLoadException.InFile(path, "the path " + problem);
        }
    }
}
