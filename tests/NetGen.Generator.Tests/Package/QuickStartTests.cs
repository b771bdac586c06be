using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests.Package;

/// <summary>
/// README's Quick start, run as written from an empty temporary folder: its shell blocks in one bash
/// script, its C# block as <c>Program.cs</c>. The test supplies only what a reader supplies: where the
/// clone is (the line that exports <c>NETGEN</c>), and a home folder of its own, so the global tool and
/// the restored packages land in the temporary folder instead of this machine's.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class QuickStartTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "netgen-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly PackedFeed _feed;

    public QuickStartTests(PackedFeed feed) => _feed = feed;

    public void Dispose() => TemporaryFolder.Delete(_folder);

    [Fact]
    public async Task The_readme_quick_start_runs_from_an_empty_folder_to_a_trained_plotted_network()
    {
        var blocks = QuickStartBlocks(File.ReadAllText(Path.Combine(Repository.Root, "README.md")));
        var program = Assert.Single(blocks, b => b.Language == "csharp").Text;
        var shell = blocks.Where(b => b.Language == "sh").Select(b => b.Text).ToList();
        Assert.Equal(3, shell.Count); // set up; run; train
        Assert.Contains("export NETGEN=", shell[0], StringComparison.Ordinal);

        var home = Path.Combine(_folder, "home");
        var work = Path.Combine(_folder, "work");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(work);
        var realHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var script = new StringBuilder()
            .AppendLine("set -euo pipefail")
            .AppendLine($"export HOME={Quote(home)} NUGET_PACKAGES={Quote(Path.Combine(_folder, "packages"))} NUGET_FALLBACK_PACKAGES={Quote(PackedFeed.GlobalPackagesFolder)}")
            .AppendLine(ReplaceClone(shell[0], _feed.Root))
            .AppendLine($"cat > Program.cs <<'NETGEN_PROGRAM'\n{program}\nNETGEN_PROGRAM")
            .AppendLine(shell[1])

            // The training step runs the demo of this checkout, already built: with this machine's home and package
            // folder, so its restore stays the no-op it is for a reader (another would rewrite the checkout's obj/).
            .AppendLine($"export HOME={Quote(realHome)}")
            .AppendLine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { } packages ? $"export NUGET_PACKAGES={Quote(packages)}" : "unset NUGET_PACKAGES")
            .AppendLine("unset NUGET_FALLBACK_PACKAGES")
            .AppendLine($"export NETGEN={Quote(Repository.Root)}")
            .AppendLine(shell[2])
            .ToString();
        var result = await Bash.RunAsync(work, script);
        Assert.True(result.ExitCode == 0, result.ToString());

        // The forward pass of the generated ResNet50, and its compile-time count (the README's comment quotes both).
        Assert.Contains("1x1000", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"25[,.\u00a0 ]?557[,.\u00a0 ]?032 parameters", result.Output);

        var run = Path.Combine(work, "Demo", "runs", "tiny");
        Assert.True(File.Exists(Path.Combine(run, "curves.png")), result.ToString());
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal(2, metrics.Length); // header and the one epoch
    }

    /// <summary>The fenced code blocks of README's "Quick start" section, in order.</summary>
    private static List<(string Language, string Text)> QuickStartBlocks(string readme)
    {
        var start = readme.IndexOf("\n## Quick start\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Quick start section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return Regex.Matches(section, @"^```(\w+)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value.TrimEnd()))
            .ToList();
    }

    /// <summary>The reader's line naming the clone, pointed at <paramref name="clone"/>; every other line as written.</summary>
    private static string ReplaceClone(string block, string clone) =>
        Regex.Replace(block, @"^export NETGEN=\S+", "export NETGEN=" + Quote(clone), RegexOptions.Multiline);

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
