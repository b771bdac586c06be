using System;

namespace NetGen.Tool;

/// <summary>The process entry point; everything else is in <see cref="Cli"/>, so tests can run it in memory.</summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
}
