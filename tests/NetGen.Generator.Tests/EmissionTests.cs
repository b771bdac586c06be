using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

public class EmissionTests
{
    private static (string Path, string Text)[] Zoo() =>
        Repository.ZooFiles().Select(f => ("/zoo/" + f.Name, f.Text)).ToArray();

    [Fact]
    public void The_whole_zoo_compiles_with_zero_warnings()
    {
        var (run, output) = GeneratorHarness.Run(Zoo());
        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.GeneratedTrees);
        var problems = GeneratorHarness.CompilerDiagnostics(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public void A_tap_inside_a_block_keeps_that_block_a_sequence_ForwardFeatures_can_index()
    {
        const string Text = "network Net\n  input 3x32x32\n  stem: conv(8, k=3, p=1)\n  s1: Two(16)\n  s2: Two(32)\n  taps c1 = s1, c2 = s2.1\n"
            + "block Two(out)\n  conv(out, k=3, s=2, p=1)\n  relu\n";
        var (run, output) = GeneratorHarness.Run(("/net.net.txt", Text));
        Assert.Empty(run.Diagnostics);
        var problems = GeneratorHarness.CompilerDiagnostics(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        var code = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Net.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("private global::NetGen.Sequence _s2;", code, StringComparison.Ordinal);
        Assert.Contains("x = _s2[1].call(x);", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_is_byte_identical_across_cultures_and_runs()
    {
        string Generate(string culture)
        {
            var previous = Thread.CurrentThread.CurrentCulture;
            try
            {
                Thread.CurrentThread.CurrentCulture = new CultureInfo(culture);
                Thread.CurrentThread.CurrentUICulture = new CultureInfo(culture);
                var (run, _) = GeneratorHarness.Run(Zoo());
                return string.Join("\n//----\n", run.GeneratedTrees.OrderBy(t => t.FilePath, StringComparer.Ordinal).Select(t => t.FilePath + "\n" + t.GetText()));
            }
            finally
            {
                Thread.CurrentThread.CurrentCulture = previous;
                Thread.CurrentThread.CurrentUICulture = previous;
            }
        }

        var invariant = Generate("");
        Assert.Equal(invariant, Generate("de-DE"));
        Assert.Equal(invariant, Generate("tr-TR"));
        Assert.Equal(invariant, Generate("ar-SA"));
        Assert.Equal(invariant, Generate(""));
    }

    [Fact]
    public void Generated_classes_use_the_root_namespace_or_the_files_own()
    {
        const string text = "network Tiny\n  input 4\n  linear(2)\n";
        var (run, _) = GeneratorHarness.Run(("/p/tiny.net.txt", text), ("/p/custom-namespace/other.net.txt", text.Replace("Tiny", "Other")), ("/p/declared.net.txt", "namespace Declared.Here\n" + text.Replace("Tiny", "Third")));
        var files = run.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).ToList();
        Assert.Contains("App.Tiny.g.cs", files);
        Assert.Contains("Custom.Place.Other.g.cs", files);
        Assert.Contains("Declared.Here.Third.g.cs", files);
    }

    [Fact]
    public void The_generator_reports_instead_of_throwing_on_every_prefix_of_every_zoo_file()
    {
        foreach (var (name, text) in Repository.ZooFiles())
        {
            for (var length = 0; length <= text.Length; length++)
            {
                var result = FrontEnd.Compile(text.Substring(0, length), name);
                Assert.DoesNotContain(result.Diagnostics, d => d.Id == "NG9999");
                Assert.All(result.Diagnostics, d => Assert.InRange(d.Span.End, 0, length));
            }
        }
    }

    [Fact]
    public void Constructor_parameters_become_typed_csharp_parameters_with_defaults()
    {
        var (run, output) = GeneratorHarness.Run(("/p/n.net.txt", "network Net(num_classes = 10, drop_rate = 0.25, use_bias = true)\n  input 8\n  dropout(drop_rate)\n  linear(num_classes, bias=use_bias)\n"));
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        var code = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Net.g.cs", StringComparison.Ordinal)).GetText().ToString();
        Assert.Contains("public Net(long numClasses = 10, double dropRate = 0.25, bool useBias = true)", code);
        Assert.Contains("global::TorchSharp.torch.nn.Linear(8, numClasses, hasBias: useBias)", code);
    }
}
