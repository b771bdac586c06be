using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>The generated code of every zoo network, and the diagnostics of a set of bad inputs, as snapshots.</summary>
public class SnapshotTests
{
    public static IEnumerable<object[]> ZooFiles() => Repository.ZooFiles().Select(f => new object[] { f.Name });

    [Theory]
    [MemberData(nameof(ZooFiles))]
    public void Generated_code_of_every_zoo_network_matches_its_snapshot(string file)
    {
        var text = File.ReadAllText(Path.Combine(Repository.ZooFolder, file));
        var (run, _) = GeneratorHarness.Run(("/zoo/" + file, text));
        Assert.Empty(run.Diagnostics);
        foreach (var tree in run.GeneratedTrees.Where(t => !t.FilePath.EndsWith("NetworkCatalog.g.cs", System.StringComparison.Ordinal)))
        {
            var fullName = Path.GetFileName(tree.FilePath).Replace(".g.cs", string.Empty);
            var name = fullName.Substring(fullName.LastIndexOf('.') + 1);
            Snapshot.Match(name, "cs", tree.GetText().ToString());
        }
    }

    [Theory]
    [MemberData(nameof(ZooFiles))]
    public void PyTorch_module_of_every_zoo_file_matches_its_snapshot(string file)
    {
        var result = FrontEnd.Compile(File.ReadAllText(Path.Combine(Repository.ZooFolder, file)), "/zoo/" + file);
        Assert.Empty(result.Diagnostics);
        var module = Emit.PythonEmitter.Emit(result.Networks, "test");
        Assert.Equal(module, Emit.PythonEmitter.Emit(FrontEnd.Compile(File.ReadAllText(Path.Combine(Repository.ZooFolder, file)), "/zoo/" + file).Networks, "test"));
        Snapshot.Match(file.Replace(".net.txt", string.Empty) + ".pytorch", "py", module);
    }

    /// <summary>Bad inputs whose diagnostics are kept as one snapshot: a change in any message shows up in review.</summary>
    public static readonly (string Name, string Text)[] BadInputs =
    {
        ("half-typed conv", "network N\n  input 3x224x224\n  conv(64, k=\n"),
        ("unknown layer with suggestion", "network N\n  input 3x224x224\n  batchnrom\n"),
        ("resnet block without projection", "network N\n  input 64x56x56\n  B(128, 2)\nblock B(w, s)\n  residual then relu\n    conv(w, k=3, s=s, p=1)\n    batchnorm\n"),
        ("inception branches of different sizes", "network N\n  input 192x28x28\n  concat\n    b1: conv(64, k=1)\n    b2: conv(96, k=3)\n"),
        ("vanishing map", "network N\n  input 3x32x32\n  s: Down x6\nblock Down\n  conv(8, k=3, s=2)\n"),
        ("linear before flatten", "network N\n  input 3x32x32\n  adaptive_avgpool(1)\n  linear(10)\n"),
        ("float where int is needed", "network N\n  let w = 1.5\n  input 3x32x32\n  conv(64 * w, k=3)\n"),
        ("recursive blocks", "network N\n  input 3x32x32\n  A\nblock A\n  B\nblock B\n  A\n"),
        ("colliding parameters", "network N(num_classes = 1, numClasses = 2)\n  input 4\n  linear(num_classes)\n"),
        ("many errors at once", "network N\n  input 3x32x32\n  conv(4, k=3) )\n  relu $\n  foo(1)\nnetwork N\n  input 1\n"),
    };

    [Fact]
    public void Diagnostics_of_bad_inputs_match_their_snapshot()
    {
        var report = new StringBuilder();
        foreach (var (name, text) in BadInputs)
        {
            report.Append("== ").Append(name).Append('\n');
            foreach (var diagnostic in FrontEnd.Compile(text, "bad.net.txt").Diagnostics)
            {
                report.Append(diagnostic).Append('\n');
            }
        }

        Snapshot.Match("BadInputs", "txt", report.ToString());
    }
}
