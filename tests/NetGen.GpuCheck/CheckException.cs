using System;

namespace NetGen.GpuCheck;

/// <summary>A failure the machine or the input explains (no CUDA, a missing reference file): one line, exit code 1.</summary>
public sealed class CheckException : Exception
{
    /// <summary>A failure with its one-line message.</summary>
    public CheckException(string message)
        : base(message)
    {
    }
}
