using System;
using System.Diagnostics;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>Runs this benchmark program again in a fresh process and returns what it printed.</summary>
public static class ChildProcess
{
    public static string Run(params string[] arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + self);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"child {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{output}");
        }

        return output;
    }
}
