using System;

namespace NetGen;

/// <summary>
/// Weights that cannot be loaded: a file that is missing, not a regular file, malformed or larger inside
/// than it is on disk (<see cref="FilePath"/> names it), or a state_dict that does not fit the network
/// (<see cref="Key"/> names the first offending key). The message says which and what is wrong.
/// </summary>
public sealed class WeightLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>, which is missing, unexpected or mis-shaped.</summary>
    public WeightLoadException(string key, string message)
        : this(message, key, filePath: null, innerException: null)
    {
    }

    /// <summary>Creates the exception with every detail; <paramref name="innerException"/> is the reader's own error, if any.</summary>
    public WeightLoadException(string message, string? key, string? filePath, Exception? innerException)
        : base(message, innerException)
    {
        Key = key;
        FilePath = filePath;
    }

    /// <summary>The state_dict key that is missing, unexpected, mis-shaped or malformed; null when the fault is the whole file's.</summary>
    public string? Key { get; }

    /// <summary>The weights file, when the fault was found reading one; null for a state_dict passed in memory.</summary>
    public string? FilePath { get; }

    /// <summary>A fault of the file at <paramref name="path"/>: "cannot load weights from 'path': <paramref name="problem"/>".</summary>
    internal static WeightLoadException InFile(string path, string problem, string? key = null, Exception? innerException = null) =>
        new($"cannot load weights from '{path}': {problem}", key, path, innerException);
}
