using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace NetGen.Models.Tests;

/// <summary>
/// Runs Debian's Python, which has torch and torchvision (apt-get install python3-torch python3-torchvision;
/// .ci/run installs them where missing). Not the python3 on PATH: a pyenv or venv one may lack torch.
/// </summary>
public static class PythonProcess
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs the interpreter (or <paramref name="program"/>, such as torchrun) with the arguments; its stdout. A failure or timeout fails the test with what it printed.</summary>
    public static string Run(IEnumerable<string> arguments, TimeSpan timeout, string program = Interpreter, string? workingDirectory = null)
    {
        using var process = Start(program, arguments, workingDirectory);
        var command = $"{program} {string.Join(" ", process.StartInfo.ArgumentList)}";
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{command} ran past {timeout}:\n{Tail(output)}\n{Tail(error)}");
        }

        // After a successful timed wait, this one waits for the redirected streams to close.
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}:\n{Tail(output)}\n{Tail(error)}");
        return output.Result;
    }

    /// <summary>Starts <paramref name="program"/> with its output and error redirected (and its input, when <paramref name="input"/>); fails the test if it is not installed.</summary>
    public static Process Start(string program, IEnumerable<string> arguments, string? workingDirectory = null, bool input = false)
    {
        Assert.True(File.Exists(program), $"{program} is missing: install python3-torch and python3-torchvision (Debian; .ci/run does)");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = input,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
    }

    private static string Tail(Task<string> text)
    {
        var value = text.IsCompleted ? text.Result : "(stderr not read)";
        return value.Length > 4000 ? value.Substring(value.Length - 4000) : value;
    }
}
