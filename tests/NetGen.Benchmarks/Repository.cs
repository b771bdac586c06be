using System;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>The repository the benchmark runs in (found from the working directory or the binary upward).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string ZooFolder => Path.Combine(Root, "dsl-examples", "Networks");

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "NetGen.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("run the benchmark inside the NetGen repository (NetGen.sln not found above the working directory)");
    }
}
