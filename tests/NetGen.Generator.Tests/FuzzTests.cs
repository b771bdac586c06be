using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Generator.Emit;
using NetGen.Generator.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Generator.Tests;

/// <summary>
/// The generator runs on every keystroke: half-typed and mangled files are its normal input. Random
/// byte, token and line edits of the zoo files must never make it throw, hang, or report a span
/// outside the file. NETGEN_FUZZ_COUNT sets the number of inputs (default 3,000; the seed is fixed).
/// </summary>
public class FuzzTests
{
    private static readonly string[] Tokens =
    {
        "(", ")", ":", ",", "=", "x", "x3", "*", "**", "//", "?", "{", "}", ".", "-", "residual", "concat", "dense", "gate", "aux",
        "shortcut", "when", "from", "let", "input", "variant", "block", "network", "in.channels", "1e999", "99999999999999999999",
        "0", "-1", "(1, 7)", "same", "true", "#", "\t", "  ", "\n", "\r\n", "conv(", "k=", "é", "\u0435", "\0", "\uD83D\uDE00",
    };

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("NETGEN_FUZZ_COUNT"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 3000;

    [Fact]
    public void Random_edits_of_the_zoo_never_throw_hang_or_point_outside_the_file()
    {
        var zoo = Repository.ZooFiles().ToList();
        var random = new Random(20261125);
        var slowest = TimeSpan.Zero;
        var mostAllocated = 0L;
        var clock = Stopwatch.StartNew();
        var emitted = 0;
        for (var i = 0; i < Count; i++)
        {
            var (name, text) = zoo[random.Next(zoo.Count)];
            var mutated = Mutate(text, random);
            var started = clock.Elapsed;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var result = FrontEnd.Compile(mutated, name);
            foreach (var network in result.Networks)
            {
                Assert.NotEmpty(NetworkEmitter.Emit(network, "test"));
                emitted++;
            }

            Assert.NotEmpty(PythonEmitter.Emit(result.Networks, "test"));

            var took = clock.Elapsed - started;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            slowest = took > slowest ? took : slowest;
            mostAllocated = Math.Max(mostAllocated, allocated);
            // A hang guard, generous so a loaded machine cannot fail it; the slowest time is reported below.
            Assert.True(took < TimeSpan.FromSeconds(5), $"input {i} took {took.TotalMilliseconds} ms:\n{mutated}");
            // Everything compiling and emitting one input allocates (not only what it keeps): bounded by the work budget.
            Assert.True(allocated < 200L * 1024 * 1024, $"input {i} allocated {allocated / 1048576} MiB:\n{mutated}");
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "NG9999");
            Assert.All(result.Diagnostics, d => Assert.True(d.Span.Start >= 0 && d.Span.End <= mutated.Length, $"{d} lies outside the {mutated.Length}-character input {i}"));
        }

        _output.WriteLine($"{Count} inputs in {clock.Elapsed.TotalSeconds:0.0} s; slowest {slowest.TotalMilliseconds:0.0} ms; most allocated by one input {mostAllocated / 1048576.0:0.0} MiB; {emitted} networks emitted");
    }

    internal static string Mutate(string text, Random random)
    {
        var result = text;
        for (var edits = random.Next(1, 4); edits > 0; edits--)
        {
            result = random.Next(6) switch
            {
                0 => ReplaceChar(result, random),
                1 => InsertToken(result, random),
                2 => DeleteRange(result, random),
                3 => DuplicateLine(result, random),
                4 => SwapLines(result, random),
                _ => result.Substring(0, random.Next(result.Length + 1)),
            };
        }

        return result;
    }

    private static string ReplaceChar(string text, Random random)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text);
        builder[random.Next(text.Length)] = (char)random.Next(0, 0x3000);
        return builder.ToString();
    }

    private static string InsertToken(string text, Random random) =>
        text.Insert(random.Next(text.Length + 1), Tokens[random.Next(Tokens.Length)]);

    private static string DeleteRange(string text, Random random)
    {
        var start = random.Next(text.Length + 1);
        return text.Remove(start, random.Next(Math.Min(40, text.Length - start) + 1));
    }

    private static string DuplicateLine(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var index = random.Next(lines.Count);
        lines.Insert(index, lines[index]);
        return string.Join("\n", lines);
    }

    private static string SwapLines(string text, Random random)
    {
        var lines = text.Split('\n');
        var (a, b) = (random.Next(lines.Length), random.Next(lines.Length));
        (lines[a], lines[b]) = (lines[b], lines[a]);
        return string.Join("\n", lines);
    }

    /// <summary>Text a user writes can never become C# outside its place.</summary>
    [Fact]
    public void Hostile_names_and_comments_stay_in_their_place_in_the_generated_code()
    {
        const string text =
            "# </summary> */ \" \\ <script>alert(1)</script> {0} /* unterminated\n" +
            "# #nullable disable\n" +
            "network Hostile(this_ = 1, class_ = 2, base_name = 3)\n" +
            "  input 3x8x8\n" +
            "  this: conv(4, k=1)\n" +
            "  base: relu\n" +
            "  forward: conv(4, k=1)\n" +
            "  register_module: relu\n" +
            "  scope: flatten\n" +
            "  x: linear(this_ + class_ + base_name)\n";
        var (run, output) = GeneratorHarness.Run(("/p/hostile.net.txt", text));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        var code = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Hostile.g.cs", StringComparison.Ordinal)).GetText().ToString();
        Assert.Contains("/// &lt;/summary&gt; */ \" \\ &lt;script&gt;alert(1)&lt;/script&gt; {0} /* unterminated", code);
        Assert.Contains("/// #nullable disable", code);
        Assert.Contains("register_module(\"this\", _this);", code);
        Assert.Contains("long @this = 1, long @class = 2, long baseName = 3", code);
    }

    [Theory]
    [InlineData("n\u0435twork N\n  input 3\n  relu\n")]
    [InlineData("network N\n  input 3\n  r\u0435lu\n")]
    [InlineData("network Ｎ\n  input 3\n  relu\n")]
    [InlineData("network N\n  input 3\n  relu # \u202Eevil\n")]
    public void Non_ascii_look_alikes_are_rejected_outside_comments(string text)
    {
        var errors = FrontEnd.Errors(text);
        if (text.Contains('#'))
        {
            // In a comment any character is harmless: comments become escaped XML doc or nothing.
            Assert.Empty(errors);
            return;
        }

        Assert.Contains(errors, e => e.Id == "NG0001");
    }
}
