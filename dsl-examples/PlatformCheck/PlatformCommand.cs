using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using NetGen.Examples.ConsoleOutput;

namespace NetGen.Examples.PlatformCheck;

/// <summary>
/// <c>platform</c>: the processor and NetGen's oneDNN decision; <c>platform --check</c>: every canary
/// in a child process with the guard's choice, oneDNN off and oneDNN on, as a table.
/// </summary>
public static class PlatformCommand
{
    /// <summary>
    /// The command, with its hidden child form <c>platform canary NAME</c>: one canary in this process and one result
    /// line, which <see cref="CanaryRunner"/> (for <c>--check</c> and the tests) starts in a process of its own.
    /// </summary>
    public static Command Create(TextWriter output)
    {
        var check = new Option<bool>("--check") { Description = "run every canary in a child process with oneDNN as the guard chooses, off and on, and print a table" };
        var command = new Command("platform", "The processor and NetGen's oneDNN decision; --check runs the canaries that prove it") { check };
        command.SetAction(result => Run(result.GetValue(check), output));

        var name = new Argument<string>("name") { Description = "the canary: " + string.Join(", ", Canary.Names) };
        name.AcceptOnlyFromAmong(Canary.Names);
        var canary = new Command("canary", "Run one canary in this process (what --check starts in a child process)") { Hidden = true };
        canary.Arguments.Add(name);
        canary.SetAction(result => RunCanary(result.GetRequiredValue(name), output));
        command.Subcommands.Add(canary);
        return command;
    }

    private static int RunCanary(string name, TextWriter output)
    {
        var (ok, detail) = Canary.Run(name);
        output.WriteLine($"{Canary.Prefix}{name} {(ok ? "ok" : "wrong")} {detail}");
        return ok ? 0 : 1;
    }

    private static int Run(bool check, TextWriter output)
    {
        NetGen.Platform.EnsureConfigured();
        var status = NetGen.Platform.OneDnn;
        output.WriteLine($"CPU: {NetGen.Platform.Cpu}");
        output.WriteLine($"oneDNN: {(status.Enabled ? "on" : "off")} ({status.Source}: {status.Reason})");
        if (!check)
        {
            return 0;
        }

        output.WriteLine();
        output.WriteLine("Canaries (one process each; ok = right result; oneDNN N = primitives oneDNN executed):");
        var outcomes = CanaryRunner.RunAll(TimeSpan.FromMinutes(5)).ToList();
        var table = new OutputTable(new[] { ("canary", false) }.Concat(CanaryRunner.Settings.Select(s => ($"NETGEN_ONEDNN={s}", false))).ToArray());
        foreach (var name in Canary.Names)
        {
            table.AddRow(new[] { name }.Concat(CanaryRunner.Settings.Select(s => outcomes.Single(o => o.Name == name && o.Setting == s).Cell)).ToArray());
        }

        table.Write(output);
        output.WriteLine();
        foreach (var outcome in outcomes)
        {
            output.WriteLine($"{outcome.Name}, NETGEN_ONEDNN={outcome.Setting}: {outcome.Detail}");
        }

        // The guard's own choice must be right; forced settings are reported, not judged.
        return outcomes.Where(o => o.Setting == "auto").All(o => o.Ok) ? 0 : 1;
    }
}
