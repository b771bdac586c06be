using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace NetGen.Examples.PlatformCheck;

/// <summary>What one canary did in a child process under one oneDNN setting.</summary>
/// <param name="Name">The canary.</param>
/// <param name="Setting">The value of NETGEN_ONEDNN the child ran with: auto (the guard decides), off or on.</param>
/// <param name="ExitCode">The child's exit code; 128 + the signal when a signal ended it (136: SIGFPE).</param>
/// <param name="Ok">The canary's own check passed.</param>
/// <param name="Detail">What it measured, or how it ended.</param>
/// <param name="OneDnnPrimitives">oneDNN primitives the child executed (counted from ONEDNN_VERBOSE output).</param>
public sealed record CanaryOutcome(string Name, string Setting, int ExitCode, bool Ok, string Detail, int OneDnnPrimitives)
{
    /// <summary>A short cell for tables: "ok", "WRONG" or "CRASH (SIGFPE)", and whether oneDNN ran.</summary>
    public string Cell => (Ok ? "ok" : ExitCode switch
    {
        0 or 1 => "WRONG",
        136 => "CRASH (SIGFPE)",
        134 => "CRASH (SIGABRT)",
        139 => "CRASH (SIGSEGV)",
        _ => $"FAILED (exit {ExitCode})",
    }) + (OneDnnPrimitives > 0 ? $", oneDNN {OneDnnPrimitives}" : ", no oneDNN");
}

/// <summary>Runs canaries in child processes of this program, one per canary and setting.</summary>
public static class CanaryRunner
{
    /// <summary>The NETGEN_ONEDNN settings a full check runs: the guard's choice, then both forced.</summary>
    public static readonly string[] Settings = { "auto", "off", "on" };

    /// <summary>Runs <paramref name="name"/> in a fresh process with NETGEN_ONEDNN=<paramref name="setting"/>.</summary>
    public static CanaryOutcome Run(string name, string setting, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Canary).Assembly.Location);
        start.ArgumentList.Add("platform");
        start.ArgumentList.Add("canary");
        start.ArgumentList.Add(name);
        start.Environment[NetGen.Platform.OneDnnVariable] = setting;
        // oneDNN prints a line per executed primitive: proof of whether it ran at all.
        start.Environment["ONEDNN_VERBOSE"] = "1";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CanaryOutcome(name, setting, -1, false, $"timed out after {timeout.TotalSeconds:0} s", 0);
        }

        Task.WaitAll(output, error);
        var lines = output.Result.Split('\n');
        var primitives = lines.Count(l => l.StartsWith("onednn_verbose", StringComparison.Ordinal) && l.Contains(",exec,", StringComparison.Ordinal));
        var result = lines.LastOrDefault(l => l.StartsWith(Canary.Prefix, StringComparison.Ordinal));
        if (result is null)
        {
            var last = error.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no output";
            return new CanaryOutcome(name, setting, process.ExitCode, false, $"exit {process.ExitCode}: {last.Trim()}", primitives);
        }

        // "CANARY name ok|wrong detail"
        var parts = result.Substring(Canary.Prefix.Length).Split(' ', 3);
        return new CanaryOutcome(name, setting, process.ExitCode, parts[1] == "ok" && process.ExitCode == 0, parts.Length > 2 ? parts[2].Trim() : string.Empty, primitives);
    }

    /// <summary>Every canary under every setting, in order.</summary>
    public static IEnumerable<CanaryOutcome> RunAll(TimeSpan timeout) =>
        from setting in Settings
        from name in Canary.Names
        select Run(name, setting, timeout);

    /// <summary>The dotnet host that runs this program's assembly: the SDK's, this process's, or the one on PATH.</summary>
    private static string DotnetHost()
    {
        var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost))
        {
            return sdkHost;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
