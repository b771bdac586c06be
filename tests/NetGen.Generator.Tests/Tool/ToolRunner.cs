using System;
using System.IO;
using NetGen.Tool;

namespace NetGen.Generator.Tests.Tool;

/// <summary>What one netgen invocation printed and returned.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the netgen command line in memory, as its Main does, with captured output.</summary>
public static class ToolRunner
{
    public static ToolResult Run(params string[] args) => Run(ToolEnvironment.Current, args);

    public static ToolResult Run(ToolEnvironment environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = Cli.Run(args, output, error, environment);
        return new ToolResult(exitCode, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }

    public static string Zoo(string file) => Path.Combine(Support.Repository.ZooFolder, file);
}

/// <summary>A fresh folder under the temp path, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netgen-tool-tests", Guid.NewGuid().ToString("N"));

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
