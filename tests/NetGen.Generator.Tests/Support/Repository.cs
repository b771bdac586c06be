using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NetGen.Generator.Tests.Support;

/// <summary>Finds files of the repository: the zoo and the snapshot folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string ZooFolder => Path.Combine(Root, "dsl-examples", "Networks");

    public static string SnapshotFolder => Path.Combine(Root, "tests", "NetGen.Generator.Tests", "Snapshots");

    /// <summary>Every zoo file as (file name, text), in name order.</summary>
    public static IEnumerable<(string Name, string Text)> ZooFiles() =>
        Directory.GetFiles(ZooFolder, "*.net.txt")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("NetGen.sln not found above " + AppContext.BaseDirectory);
    }
}
