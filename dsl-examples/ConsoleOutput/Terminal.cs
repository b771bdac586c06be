using System;
using System.IO;
using Spectre.Console;

namespace NetGen.Examples.ConsoleOutput;

/// <summary>Whether a writer is a terminal (Spectre.Console's live output) or a log (plain lines), and a Spectre console on it.</summary>
public static class Terminal
{
    /// <summary>
    /// True when <paramref name="output"/> is the process's standard output and that is a terminal: tests, pipes and CI
    /// redirect it and get plain text without ANSI codes, box drawing or wrapping.
    /// </summary>
    public static bool IsInteractive(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>A Spectre.Console console that writes to <paramref name="output"/> (its width and colours detected).</summary>
    public static IAnsiConsole On(TextWriter output) => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
}
