using System;

namespace NetGen.GpuCheck;

/// <summary>The program's entry point: <see cref="Cli"/> on the console.</summary>
public static class Program
{
    /// <summary>Runs the command line; see <see cref="Cli"/> for the exit codes.</summary>
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Out, Console.Error);
}
