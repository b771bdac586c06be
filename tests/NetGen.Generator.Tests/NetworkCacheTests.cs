using System;
using System.Linq;
using System.Text.RegularExpressions;
using NetGen.Generator.Binding;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generator reuses networks whose text an edit left alone. Reuse must be invisible: every compile
/// with the cache equals a compile without it, diagnostics and their positions included.
/// </summary>
public class NetworkCacheTests
{
    private const string Path = "/p/family.net.txt";

    private const string Family = """
        # A family: one network and two variants.
        network Small(num_classes = 10, width = 8)
          input 3x32x32
          Unit(width)
          Unit(width * 2, stride=2)
          variant Wide(width = 16)
          avgpool: adaptive_avgpool(1)
          flatten
          linear(num_classes)
          variant Wider(width = 32)

        network Other
          input 3x16x16
          Unit(4)

        block Unit(out, stride=1)
          conv(out, k=3, s=stride, p=1, bias=false)
          batchnorm
          relu
        """;

    private static FileResult Compile(string text, NetworkCache? cache = null) =>
        NetGenCompiler.Compile(new NetFile(Path, text, "App"), cache: cache);

    private static NetworkModel Network(FileResult result, string name) => result.Networks.Single(n => n.ClassName == name);

    private static (FileResult Before, FileResult After) Edit(string before, string after)
    {
        var cache = new NetworkCache();
        var first = Compile(before, cache);
        var second = Compile(after, cache);
        Assert.Equal(Compile(after), second);
        return (first, second);
    }

    private static string[] Reused((FileResult Before, FileResult After) run) =>
        run.After.Networks.Where(n => run.Before.Networks.Any(b => ReferenceEquals(b, n))).Select(n => n.ClassName).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    [Fact]
    public void An_unchanged_file_reuses_every_network()
    {
        var run = Edit(Family, Family);
        Assert.Empty(run.Before.Diagnostics);
        Assert.Equal(new[] { "Other", "Small", "Wide", "Wider" }, Reused(run));
    }

    [Fact]
    public void Comments_blank_lines_and_spaces_reuse_every_network()
    {
        var edited = "# a new first line, apart from the documentation\n\n" + Family.Replace("  Unit(width)\n", "  Unit( width )   # the first unit\n\n", StringComparison.Ordinal) + "\n# the end\n";
        Assert.Equal(new[] { "Other", "Small", "Wide", "Wider" }, Reused(Edit(Family, edited)));
    }

    [Fact]
    public void Editing_a_variant_line_binds_only_that_variant()
    {
        Assert.Equal(new[] { "Other", "Small", "Wider" }, Reused(Edit(Family, Family.Replace("width = 16", "width = 24", StringComparison.Ordinal))));
    }

    [Fact]
    public void Editing_a_network_binds_it_and_its_variants_and_nothing_else()
    {
        Assert.Equal(new[] { "Other" }, Reused(Edit(Family, Family.Replace("num_classes = 10", "num_classes = 100", StringComparison.Ordinal))));
    }

    [Fact]
    public void Editing_a_block_binds_every_network()
    {
        var run = Edit(Family, Family.Replace("  batchnorm\n", "  batchnorm(eps=0.001)\n", StringComparison.Ordinal));
        Assert.Empty(Reused(run));
        var before = Units(run.Before);
        Assert.DoesNotContain(Units(run.After), u => before.Any(b => ReferenceEquals(b, u)));
    }

    [Fact]
    public void A_network_bound_again_reuses_the_block_calls_it_shares_with_the_last_compile()
    {
        // Unit(width * 2, stride=2) now gets other arguments; Unit(width) and Other's Unit(4) do not.
        var run = Edit(Family, Family.Replace("Unit(width * 2, stride=2)", "Unit(width * 3, stride=2)", StringComparison.Ordinal));
        Assert.Equal(new[] { "Other" }, Reused(run));
        var small = Network(run.After, "Small").Children;
        var before = Units(run.Before).ToList();
        Assert.Contains(before, b => ReferenceEquals(b, small[0].Module));
        Assert.DoesNotContain(before, b => ReferenceEquals(b, small[1].Module));
    }

    /// <summary>The modules of every Unit call in a compile.</summary>
    private static ModuleModel[] Units(FileResult result) =>
        result.Networks.SelectMany(n => n.Children).Select(c => c.Module).Where(m => m is SequenceModel { Origin: "Unit" }).ToArray();

    [Fact]
    public void A_networks_documentation_is_part_of_what_is_compared()
    {
        var run = Edit(Family, Family.Replace("# A family: one network and two variants.", "# A family of three.", StringComparison.Ordinal));
        Assert.Equal(new[] { "Other" }, Reused(run));
        Assert.Equal("A family of three.", Network(run.After, "Small").Doc);
    }

    [Fact]
    public void A_network_with_errors_is_bound_again_so_its_errors_move_with_the_text()
    {
        var broken = Family.Replace("Unit(4)", "Unit(4, stride=0)", StringComparison.Ordinal);
        var run = Edit(broken, "# pushed down a line\n\n" + broken);
        Assert.NotEmpty(run.Before.Diagnostics);
        Assert.Equal(run.Before.Diagnostics.Single().LineSpan.Start.Line + 2, run.After.Diagnostics.Single().LineSpan.Start.Line);
        Assert.Equal(new[] { "Small", "Wide", "Wider" }, Reused(run));
    }

    [Fact]
    public void Nothing_is_reused_while_the_file_has_a_syntax_error()
    {
        Assert.Empty(Reused(Edit(Family, Family + "\nnetwork (\n")));
    }

    [Fact]
    public void Files_are_remembered_apart()
    {
        var cache = new NetworkCache();
        var first = NetGenCompiler.Compile(new NetFile("/p/a.net.txt", Family, "App"), cache: cache);
        NetGenCompiler.Compile(new NetFile("/p/b.net.txt", Family, "App"), cache: cache);
        var again = NetGenCompiler.Compile(new NetFile("/p/a.net.txt", Family, "App"), cache: cache);
        Assert.All(again.Networks, n => Assert.Contains(first.Networks, f => ReferenceEquals(f, n)));
        var otherNamespace = NetGenCompiler.Compile(new NetFile("/p/a.net.txt", Family, "Other.App"), cache: cache);
        Assert.All(otherNamespace.Networks, n => Assert.Equal("Other.App", n.Namespace));
    }

    /// <summary>
    /// Chains of edits of every zoo file, each compiled with the cache the previous compile filled and
    /// without any: the results must be equal. Most edits keep the file valid (comments, blank lines,
    /// trailing spaces, changed digits) so that networks are reused; some mangle it.
    /// </summary>
    [Fact]
    public void Every_input_of_binding_changes_the_cache_key()
    {
        // Binding reads a NetworkInputs and the file's blocks, nothing else: a new property must be added here.
        Assert.Equal(
            new[] { "ClassName", "Namespace", "Network", "Path", "Variant" },
            typeof(NetworkInputs).GetProperties().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));

        const string Text = "# doc\nnetwork A(w = 1)\n  input 3x8x8\n  conv(w, k=1)\n  variant B(w = 2)\n  variant C(w = 3)\n";
        NetworkKey Key(string text, int variant = 0, string path = "/a.net.txt", string @namespace = "App", string blocks = "blocks")
        {
            var file = Syntax.Parser.Parse(text, new Diagnostics.DiagnosticBag());
            var network = file.Definitions.OfType<Syntax.NetworkSyntax>().Single();
            return NetworkKey.For(file, new NetworkInputs(network, network.Variants[variant], path, @namespace), blocks);
        }

        var key = Key(Text);
        Assert.Equal(key, Key(Text.Replace("\n  conv", "\n\n  conv", StringComparison.Ordinal) + "# a comment\n"));
        Assert.NotEqual(key, Key(Text.Replace("k=1", "k=3", StringComparison.Ordinal)));
        Assert.NotEqual(key, Key(Text.Replace("# doc", "# other doc", StringComparison.Ordinal)));
        Assert.NotEqual(key, Key(Text, variant: 1));
        Assert.NotEqual(key, Key(Text.Replace("B(w = 2)", "B(w = 4)", StringComparison.Ordinal)));
        Assert.NotEqual(key, Key(Text, path: "/b.net.txt"));
        Assert.NotEqual(key, Key(Text, @namespace: "Other"));
        Assert.NotEqual(key, Key(Text, blocks: "other blocks"));
    }

    [Fact]
    public void Random_edit_chains_compile_the_same_with_and_without_the_cache()
    {
        var random = new Random(20261126);
        var reused = 0;
        foreach (var (name, original) in Repository.ZooFiles())
        {
            var cache = new NetworkCache();
            var text = original;
            var previous = NetGenCompiler.Compile(new NetFile(name, text, "App"), cache: cache);
            for (var step = 0; step < 25; step++)
            {
                text = random.Next(10) switch
                {
                    0 => FuzzTests.Mutate(text, random),
                    1 or 2 => InsertAtLineStart(text, random, "# a comment\n"),
                    3 => InsertAtLineStart(text, random, "\n"),
                    4 or 5 => AppendToLine(text, random, random.Next(2) == 0 ? "   " : "  # note"),
                    _ => ChangeDigit(text, random),
                };
                var cached = NetGenCompiler.Compile(new NetFile(name, text, "App"), cache: cache);
                Assert.Equal(NetGenCompiler.Compile(new NetFile(name, text, "App")), cached);
                reused += cached.Networks.Count(n => previous.Networks.Any(p => ReferenceEquals(p, n)));
                previous = cached;
            }
        }

        // The chains must exercise reuse, or the test proves nothing.
        Assert.True(reused > 200, $"{reused} networks reused");
    }

    private static string InsertAtLineStart(string text, Random random, string insert)
    {
        var starts = Regex.Matches(text, "^", RegexOptions.Multiline).Select(m => m.Index).ToList();
        return text.Insert(starts[random.Next(starts.Count)], insert);
    }

    private static string AppendToLine(string text, Random random, string insert)
    {
        var ends = Regex.Matches(text, "\n").Select(m => m.Index).ToList();
        return ends.Count == 0 ? text + insert : text.Insert(ends[random.Next(ends.Count)], insert);
    }

    private static string ChangeDigit(string text, Random random)
    {
        var digits = Regex.Matches(text, "[0-9]").Select(m => m.Index).ToList();
        if (digits.Count == 0)
        {
            return text;
        }

        var at = digits[random.Next(digits.Count)];
        return text.Remove(at, 1).Insert(at, ((char)('1' + random.Next(9))).ToString());
    }
}
