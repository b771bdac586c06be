using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace NetGen.Generator.Tests.Package;

/// <summary>What a child process printed (standard output, then standard error) and its exit code.</summary>
public sealed record ProcessResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}:\n{Output}";

    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="workingDirectory"/> as a user's shell would: without the
    /// test host's MSBuild variables, which would leak into a child build, and without the CLI's banners.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(string program, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");

        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new System.Threading.CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return new ProcessResult(process.ExitCode, await output + await error);
    }
}

/// <summary>Runs the dotnet command line in a folder.</summary>
public static class DotNet
{
    public static Task<ProcessResult> RunAsync(string workingDirectory, params string[] arguments) =>
        ProcessResult.RunAsync("dotnet", workingDirectory, TimeSpan.FromMinutes(8), arguments);
}

/// <summary>Runs a bash script in a folder.</summary>
public static class Bash
{
    public static Task<ProcessResult> RunAsync(string workingDirectory, string script) =>
        ProcessResult.RunAsync("bash", workingDirectory, TimeSpan.FromMinutes(10), "-c", script);
}
