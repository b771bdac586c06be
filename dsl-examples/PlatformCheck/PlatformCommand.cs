using System;
using System.Linq;

namespace NetGen.Examples.PlatformCheck;

/// <summary>
/// <c>platform</c>: the processor and NetGen's oneDNN decision; <c>platform --check</c>: every canary
/// in a child process with the guard's choice, oneDNN off and oneDNN on, as a table.
/// </summary>
public static class PlatformCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "platform [--check]";

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args is ["canary", var name])
        {
            // A child of --check (or of the tests): one canary, one result line.
            var (ok, detail) = Canary.Run(name);
            Console.WriteLine($"{Canary.Prefix}{name} {(ok ? "ok" : "wrong")} {detail}");
            return ok ? 0 : 1;
        }

        if (args.Length > 1 || (args.Length == 1 && args[0] != "--check"))
        {
            Console.Error.WriteLine($"usage: {Usage}");
            return 2;
        }

        NetGen.Platform.EnsureConfigured();
        var status = NetGen.Platform.OneDnn;
        Console.WriteLine($"CPU: {NetGen.Platform.Cpu}");
        Console.WriteLine($"oneDNN: {(status.Enabled ? "on" : "off")} ({status.Source}: {status.Reason})");
        if (args.Length == 0)
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine("Canaries (one process each; ok = right result; oneDNN N = primitives oneDNN executed):");
        var outcomes = CanaryRunner.RunAll(TimeSpan.FromMinutes(5)).ToList();
        var header = new[] { "canary" }.Concat(CanaryRunner.Settings.Select(s => $"NETGEN_ONEDNN={s}")).ToArray();
        var rows = Canary.Names
            .Select(name => new[] { name }.Concat(CanaryRunner.Settings.Select(s => outcomes.Single(o => o.Name == name && o.Setting == s).Cell)).ToArray())
            .ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(widths.Select(w => new string('-', w)).ToArray()).Prepend(header))
        {
            Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        Console.WriteLine();
        foreach (var outcome in outcomes)
        {
            Console.WriteLine($"{outcome.Name}, NETGEN_ONEDNN={outcome.Setting}: {outcome.Detail}");
        }

        // The guard's own choice must be right; forced settings are reported, not judged.
        return outcomes.Where(o => o.Setting == "auto").All(o => o.Ok) ? 0 : 1;
    }
}
