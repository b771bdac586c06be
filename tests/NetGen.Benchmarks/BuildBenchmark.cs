using System;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>
/// <c>dotnet build</c> of dsl-examples (Debug, as a developer builds it): nothing changed, and one
/// .net.txt edited. The edit is a comment appended to tiny.net.txt, put back afterwards.
/// </summary>
public static class BuildBenchmark
{
    public static void Run()
    {
        var project = Path.Combine(Repository.Root, "dsl-examples", "NetGen.Examples.csproj");
        var edited = Path.Combine(Repository.ZooFolder, "tiny.net.txt");
        var original = File.ReadAllText(edited);

        Build(project); // brings the build server and the outputs up to date; not reported
        var noChange = Build(project);
        double afterEdit;
        try
        {
            File.WriteAllText(edited, original + "\n# benchmark edit\n");
            afterEdit = Build(project);
        }
        finally
        {
            File.WriteAllText(edited, original);
        }

        var restored = Build(project);
        Console.WriteLine("## dotnet build of dsl-examples (Debug, build server warm)");
        Console.WriteLine();
        Console.WriteLine("| Build | Wall time |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| nothing changed | {noChange:F1} s |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| tiny.net.txt edited (recompiles the assembly) | {afterEdit:F1} s |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| the edit undone | {restored:F1} s |"));
        Console.WriteLine();
    }

    private static double Build(string project) =>
        Statistics.Milliseconds(() => ChildProcess.Start("dotnet", "build", project, "--no-restore", "-nologo", "-v", "q", "-clp:NoSummary")) / 1000;
}
