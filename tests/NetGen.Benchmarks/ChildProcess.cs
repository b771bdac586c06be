using System;
using System.Diagnostics;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>Runs a program (this benchmark again, or dotnet) and returns what it printed; fails on a non-zero exit.</summary>
public static class ChildProcess
{
    /// <summary>This benchmark program in a fresh process.</summary>
    public static string Run(params string[] arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        return Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? Start(self, [typeof(ChildProcess).Assembly.Location, .. arguments])
            : Start(self, arguments);
    }

    public static string Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{output}{error.Result}");
        }

        return output;
    }
}
