using System;

namespace NetGen.Tool;

/// <summary>
/// What the tool reads from its process environment, passed in so tests can change it:
/// <see cref="SearchPath"/> is where programs such as Graphviz's <c>dot</c> are looked up (PATH);
/// <see cref="Python"/> is the Python <c>export-onnx</c> runs when no --python is given (NETGEN_PYTHON).
/// </summary>
public sealed record ToolEnvironment(string? SearchPath)
{
    public string? Python { get; init; }

    public static ToolEnvironment Current => new(Environment.GetEnvironmentVariable("PATH"))
    {
        Python = Environment.GetEnvironmentVariable(ExportOnnxCommand.PythonVariable) is { Length: > 0 } python ? python : null,
    };
}
