using System;

namespace NetGen.Tool;

/// <summary>
/// What the tool reads from its process environment, passed in so tests can change it:
/// <see cref="SearchPath"/> is where programs such as Graphviz's <c>dot</c> are looked up (PATH).
/// </summary>
public sealed record ToolEnvironment(string? SearchPath)
{
    public static ToolEnvironment Current => new(Environment.GetEnvironmentVariable("PATH"));
}
