using System;

namespace NetGen.Tool;

/// <summary>A mistake in how the tool was called (exit code 2): an unknown command or option, a missing file.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
