using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

public class DiagnosticTests
{
    private const string Head = "network N\n  input 3x8x8\n";

    /// <summary>Code, input with the expected span in brackets, and a part of the message.</summary>
    public static readonly TheoryData<string, string, string> Cases = new()
    {
        { "NG0001", Head + "  conv(4, k=3) [$]\n", "unexpected character '$'" },
        { "NG0002", Head + "  conv(4, k=3) [)]\n", "expected end of line but found ')'" },
        { "NG0003", "network N\n[\t]input 3x8x8\n", "a tab in indentation; indent with spaces" },
        { "NG0004", Head + "  conv([4q], k=3)\n", "'4q' is not a valid number" },
        { "NG0101", Head + "  [conv2d](4, k=3)\n", "unknown layer or block 'conv2d'; did you mean 'conv'?" },
        { "NG0102", Head + "  conv([width], k=3)\n", "unknown name 'width'" },
        { "NG0103", Head + "  conv(4, k=3, [padd]=1)\n", "'conv' has no argument 'padd'; it takes out_channels (out), kernel (k)" },
        { "NG0104", Head + "  a: relu\n  [a: relu]\n", "duplicate module name 'a' (first defined on line 3)" },
        { "NG0105", Head + "  maxpool(2, 2, 0, 1, false, [7])\n", "'maxpool' takes 5 positional arguments but was given 6" },
        { "NG0106", Head + "  [conv(4)]\n", "'conv' needs argument 'kernel (k)'" },
        { "NG0107", Head + "  conv(4, k=[1.5])\n", "argument 'kernel' of 'conv' must be an int or a pair such as (1, 7), but is float 1.5" },
        { "NG0108", Head + "  conv(4, k=3, [kernel=3])\n", "argument 'kernel' of 'conv' is given twice" },
        { "NG0109", "network [class]\n  input 3x8x8\n  relu\n", "'class' cannot be used as a class name: it is a C# keyword" },
        { "NG0110", Head + "  A\nblock A\n  B\nblock B\n  [A]\n", "blocks call each other in a cycle (A -> B -> A)" },
        { "NG0111", Head + "  dropout([1.5])\n", "the dropout probability 'p' must be between 0 and 1, but is 1.5" },
        { "NG0112", "network [N]\n  relu\n", "network 'N' does not say its input shape" },
        { "NG0114", Head + "  stem: conv(4, k=1)\n  taps c2 = [stage2]\n", "tap 'c2': 'stage2' is not a module of the network; its modules are stem" },
        { "NG0114", Head + "  stage: seq\n    residual\n      conv(3, k=1)\n  taps c2 = [stage.0.0]\n", "tap 'c2': 'stage.0' is a residual, whose inside runs as one step" },
        { "NG0114", Head + "  stem: conv(4, k=1)\n  taps c2 = stem, c3 = [stem]\n", "tap 'c3': 'stem' is tapped already as 'c2'; tap each module once" },
        { "NG0114", Head + "  stem: conv(4, k=1)\n  head: aux flatten\n  taps c2 = [head]\n", "tap 'c2': 'head' is an auxiliary head, off the main path" },
        { "NG0104", Head + "  stem: conv(4, k=1)\n  b: relu\n  taps c2 = stem, [c2] = b\n", "duplicate tap 'c2' (first defined on line 5)" },
        { "NG0104", Head + "  stem: conv(4, k=1)\n  taps c2 = stem\n  [taps] c3 = stem\n", "duplicate taps line of 'N'" },
        { "NG0113", Head + "  s:\n    head: [aux linear(10)]\n", "an auxiliary head is not allowed here; 'aux' statements belong directly in a network's body" },
        { "NG0201", "network N\n  input 64x8x8\n  residual\n    [conv(256, k=1)]\n", "residual adds 256 channels (body, set on line 4) to 64 channels (the input: there is no shortcut)" },
        { "NG0202", Head + "  concat\n    conv(4, k=1)\n    [conv(4, k=3)]\n", "concat joins feature maps of different sizes (0 4x8x8, 1 4x6x6)" },
        { "NG0203", Head + "  [conv(4, k=9)]\n", "'conv' turns a 8x8 input into 0x0" },
        { "NG0204", Head + "  conv(4, k=1, g=[2])\n", "groups=2 does not divide the 3 input channels" },
        { "NG0205", Head + "  [linear(10)]\n", "'linear' needs a flat input (features) or a channels-last map, but gets 3x8x8; insert 'flatten'" },
        { "NG0205", Head + "  channels_last\n  [conv(4, k=3)]\n", "'conv' needs a channels x height x width map, but gets 8x8x3 (channels last); insert 'channels_first' before it" },
        { "NG0205", Head + "  [channels_first]\n", "'channels_first' permutes a channels-last map back, but gets 3x8x8; it belongs after 'channels_last'" },
        { "NG0113", Head + "  residual then [conv(3, k=1)]\n    conv(3, k=1)\n", "'conv' after 'then' is not allowed here; 'then' takes an activation or channel_shuffle" },
        { "NG0113", Head + "  residual then [dropout(0.1)]\n    conv(3, k=1)\n", "'dropout' after 'then' is not allowed here" },
        { "NG0113", Head + "  [s: scale(1e-6)]\n", "'scale' directly in a network is not allowed here" },
        { "NG0113", "network N\n  input 4x8x8\n  split\n    identity\n    [conv(2, k=1) x 2]\n", "a repeated branch is not allowed here; each branch of a 'split' is one statement" },
        { "NG0111", "network N\n  input 5x8x8\n  [split]\n    identity\n    identity\n", "the channels a 'split' cuts into 2 equal chunks must be a known multiple of 2, but is 5" },
        { "NG0002", "network N\n  input 4x8x8\n  split when true [then] channel_shuffle(2)\n    identity\n    identity\n", "expected 'then' right after the connection, 'when' last" },
        { "NG0206", Head + "  conv(4, k=3, s=2, p=[same])\n", "padding 'same' is not possible here: stride 2 changes the size" },
        { "NG0207", Head + "  gate\n    adaptive_avgpool(1)\n    [conv(4, k=1)]\n", "the gate computes 4x1x1, which cannot scale its 3x8x8 input" },
        { "NG0301", Head + "  s: relu x [100000]\n", "the repeat count is 100000, above the limit of 10000" },
        { "NG0303", Head + "  conv([9223372036854775807 * 2], k=1)\n", "'9223372036854775807 * 2' overflows a 64-bit integer" },
        { "NG0304", "network N(depth = 2)\n  input 3x8x8\n  s: relu x [depth]\n", "a repeat count must be known at compile time, but depends on constructor parameter 'depth'" },
        { "NG0401", Head + "  conv(4 [+] true, k=1)\n", "operator '+' cannot be applied to int 4 and bool true" },
        { "NG0402", Head + "  conv([4 / 0], k=1)\n", "'4 / 0' divides by zero" },
        { "NG0403", Head + "  conv([min(4)], k=1)\n", "'min' takes two or more numbers, but was given int 4" },
        { "NG0404", Head + "  conv([foo](4), k=1)\n", "unknown function 'foo'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_error_has_its_code_message_and_exact_span(string code, string marked, string message)
    {
        var input = Marked.Parse(marked);
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal(code, diagnostic.Id);
        Assert.Contains(message, diagnostic.Message);
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
    }

    [Fact]
    public void Every_diagnostic_code_is_tested()
    {
        var tested = Cases.Select(row => (string)row[0]).Concat(new[] { "NG0302" }).ToHashSet();

        // NG9999 reports a bug in NetGen itself; no valid or invalid input should produce it.
        var untested = DiagnosticDescriptors.Every.Select(d => d.Id).Where(id => id != "NG9999" && !tested.Contains(id)).ToList();
        Assert.Empty(untested);
    }

    [Fact]
    public void An_error_only_a_variant_causes_is_reported_at_the_variants_line()
    {
        var text = "network Net\n  let res = 32\n  input 3 x res x res\n  s: Down x4\n  variant Tiny(res = 8)\nblock Down\n  conv(4, k=3, s=2)\n";
        var diagnostic = Assert.Single(FrontEnd.Errors(text));
        Assert.Equal("NG0203", diagnostic.Id);
        Assert.Equal(4, diagnostic.LineSpan.Start.Line);
        Assert.StartsWith("variant 'Tiny': 'conv' turns a 1x1 input into 0x0", diagnostic.Message);
        Assert.EndsWith("(at line 7, in Tiny → s[2] → Down)", diagnostic.Message);
    }

    [Fact]
    public void An_error_inside_a_block_names_the_class_and_the_call_chain()
    {
        var input = Marked.Parse("network Net\n  input 16x8x8\n  features:\n    stage: Stage x 2\nblock Stage\n  units: Unit x 2\nblock Unit\n  conv(8, k=1, g=[3])\n");
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal("NG0204", diagnostic.Id);
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
        Assert.Equal("groups=3 does not divide the 16 input channels; use a divisor of 16 (in Net → features.stage[0] → Stage → units[0] → Unit)", diagnostic.Message);
    }

    [Fact]
    public void An_error_that_several_classes_meet_in_one_block_is_reported_once_naming_the_first()
    {
        var input = Marked.Parse(
            "network Net\n  let w = 10\n  input 16x8x8\n  layer1: B x 2\n  flatten\n  linear(w)\n  variant Wide(w = 20)\n" +
            "network Other\n  input 16x8x8\n  B\n" +
            "block B\n  conv(8, k=1, g=[3])\n");
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
        Assert.EndsWith("use a divisor of 16 (in Net → layer1[0] → B; also in 2 other classes)", diagnostic.Message);
    }

    [Fact]
    public void A_missing_block_argument_is_the_callers_error_and_names_no_chain()
    {
        var input = Marked.Parse("network Net\n  input 3x8x8\n  [Stem]\nblock Stem(width)\n  conv(width, k=1)\n");
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
        Assert.Equal("'Stem' needs argument 'width'", diagnostic.Message);
    }

    /// <summary>Connections whose parts do not fit: code, input with the statement that set the wrong shape marked, and the whole message.</summary>
    public static readonly TheoryData<string, string, string> Mismatches = new()
    {
        {
            "NG0201",
            "network Net\n  input 64x8x8\n  layer1: Bottleneck(64) x 2\nblock Bottleneck(width)\n  residual then relu\n    conv1: conv(width, k=1)\n" +
            "    [conv3: conv(width * 2, k=1)]\n    bn3: batchnorm\n    shortcut downsample when in.channels != width * 4\n      conv(width * 4, k=1)\n",
            "residual adds 128 channels (body, set on line 7) to 256 channels (shortcut 'downsample', set on line 9); end the body with 256 channels, or 'downsample' with 128 channels (in Net → layer1[0] → Bottleneck)"
        },
        {
            "NG0201",
            "network N\n  input 16x8x8\n  residual\n    [conv(32, k=3, p=1)]\n    batchnorm\n",
            "residual adds 32 channels (body, set on line 4) to 16 channels (the input: there is no shortcut); end the body with 16 channels, or give the residual a projection shortcut to 32 channels (e.g. 'shortcut downsample when …' with a 1x1 conv)"
        },
        {
            "NG0201",
            "network N\n  input 16x8x8\n  B(1)\nblock B(stride)\n  residual\n    [conv(32, k=3, s=stride, p=1)]\n    shortcut proj when stride != 1\n      conv(32, k=1, s=stride)\n",
            "residual adds 32 channels (body, set on line 6) to 16 channels (the input: shortcut 'proj' is off, its 'when' on line 7 is false here); end the body with 16 channels, or make that 'when' true where the channels change (in N → B)"
        },
        {
            "NG0201",
            "network N\n  input 16x8x8\n  residual\n    batchnorm\n    [shortcut proj: conv(32, k=1)]\n",
            "residual adds 16 channels (body, unchanged from its input) to 32 channels (shortcut 'proj', set on line 5); end 'proj' with 16 channels"
        },
        {
            "NG0201",
            "network N\n  input 16x4x4\n  residual\n    [flatten]\n",
            "residual adds (256) (body, set on line 4) to 16x4x4 (the input: there is no shortcut); add flat features to flat features, or maps to maps (keep 'flatten' out of the residual)"
        },
        {
            "NG0202",
            "network N\n  input 16x8x8\n  residual\n    [conv(16, k=3, s=2, p=1)]\n    batchnorm\n",
            "residual add joins feature maps of different sizes (body 16x4x4 from line 4, input 16x8x8 with no shortcut); keep the size in the body (e.g. p=1 for a 3x3 conv), or give the shortcut the body's stride"
        },
        {
            "NG0202",
            "network N\n  input 16x8x8\n  residual\n    [conv(16, k=3, s=2, p=1)]\n    shortcut proj: conv(16, k=1)\n",
            "residual add joins feature maps of different sizes (body 16x4x4 from line 4, shortcut 'proj' 16x8x8); make the strides and paddings agree"
        },
        {
            "NG0202",
            "network N\n  input 16x8x8\n  dense\n    [conv(8, k=3)]\n    relu\n",
            "dense concat joins feature maps of different sizes (input 16x8x8, body 8x6x6 from line 4); keep the input's size in the body (e.g. p=1 for a 3x3 conv): a dense connection concatenates its input"
        },
        {
            "NG0202",
            "network N\n  input 16x8x8\n  concat\n    conv(8, k=3, p=1)\n    [b1: conv(8, k=3)]\n    conv(8, k=1)\n",
            "concat joins feature maps of different sizes (0 8x8x8, b1 8x6x6, 2 8x8x8); make the strides and paddings agree"
        },
        {
            "NG0207",
            "network N\n  input 32x8x8\n  gate\n    adaptive_avgpool(1)\n    conv(8, k=1)\n    relu\n    [conv(16, k=1)]\n    sigmoid\n",
            "the gate computes 16x1x1, which cannot scale its 32x8x8 input; end the gate with as many channels as its input (e.g. conv(in.channels, k=1)) at 1x1 or the input's size"
        },
        {
            "NG0207",
            "network N\n  input 32x8x8\n  gate\n    [adaptive_avgpool(2)]\n    conv(32, k=1)\n    sigmoid\n",
            "the gate computes 32x2x2, which cannot scale its 32x8x8 input; end the gate with as many channels as its input (e.g. conv(in.channels, k=1)) at 1x1 or the input's size"
        },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void A_connection_mismatch_is_reported_once_where_the_shape_was_set(string code, string marked, string message)
    {
        var input = Marked.Parse(marked);
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal(code, diagnostic.Id);
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
    }

    /// <summary>Mistakes that once gave follow-up errors: code, input with the one expected span marked, and a part of the message.</summary>
    public static readonly TheoryData<string, string, string> OneMistake = new()
    {
        { "NG0107", "network N(dropout = 0.5)\n  input 3x8x8\n  flatten\n  dropout(dropout)\n  variant Broken([dropout = false])\n", "argument 'dropout' of 'N' must be a float, but is bool false" },
        { "NG0106", "network N([num_classes])\n  input 3x8x8\n  flatten\n  linear(num_classes)\n", "parameter 'num_classes' of network 'N' needs a default" },
        { "NG0002", Head + "  stage: relu x 2 as block1 [-]{i}\n", "expected end of line but found '-'" },
        { "NG0002", Head + "  conv(4, k=3[\n]  relu\n  flatten\n", "expected ')' but found end of line" },
        { "NG0002", Head + "  features:\n    conv(4, k=3[\n]    relu\n  flatten\n", "expected ')' but found end of line" },
        { "NG0003", Head + "[\t]conv(4, k=3)\n  relu\n", "a tab in indentation; indent with spaces" },
        { "NG0002", Head + "  concat [junk]\n    conv(4, k=1)\n    conv(4, k=3, p=1)\n", "expected end of line but found 'junk'" },
    };

    [Theory]
    [MemberData(nameof(OneMistake))]
    public void One_mistake_gives_one_diagnostic(string code, string marked, string message)
    {
        var input = Marked.Parse(marked);
        var diagnostic = Assert.Single(FrontEnd.Errors(input.Text));
        Assert.Equal(code, diagnostic.Id);
        Assert.Contains(message, diagnostic.Message);
        Assert.Equal(input.Spans.Single(), diagnostic.Span);
    }

    [Fact]
    public void Block_calls_nested_too_deeply_are_reported()
    {
        var blocks = string.Join(string.Empty, Enumerable.Range(0, 80).Select(i => $"block B{i}\n  B{i + 1}\n"));
        var text = Head + "  B0\n" + blocks + "block B80\n  relu\n";
        var diagnostic = Assert.Single(FrontEnd.Errors(text));
        Assert.Equal("NG0302", diagnostic.Id);
        Assert.Contains("nest more than 64 levels deep", diagnostic.Message);
    }

    [Fact]
    public void Expressions_nested_too_deeply_are_reported()
    {
        var text = Head + "  conv(" + new string('(', 150) + "4" + new string(')', 150) + ", k=1)\n";
        Assert.Contains(FrontEnd.Errors(text), d => d.Id == "NG0302");
    }

    [Fact]
    public void The_parser_recovers_and_reports_every_broken_line()
    {
        var text = Head + "  conv(4, k=3) )\n  relu )\n  flatten(\nblock B(\n  relu\n";
        var errors = FrontEnd.Errors(text);
        Assert.All(errors, e => Assert.Equal("NG0002", e.Id));
        Assert.Subset(errors.Select(e => e.LineSpan.Start.Line + 1).ToHashSet(), new HashSet<int> { 3, 4, 5 });
    }

    [Fact]
    public void Errors_in_different_networks_and_blocks_are_all_reported()
    {
        var text = "network A\n  input 3x8x8\n  conv(4, k=3, bogus=1)\n" +
                   "network B\n  input 3x8x8\n  nonsense\n" +
                   "block Unused\n  conv2d(4)\n";
        var codes = FrontEnd.Errors(text).Select(e => e.Id).ToList();
        Assert.Equal(new[] { "NG0103", "NG0101", "NG0101" }, codes);
    }

    [Fact]
    public void A_residual_channel_mismatch_fails_the_build_at_its_line_in_the_dsl_file()
    {
        const string text = "network Bad\n  input 64x56x56\n  conv(64, k=3, p=1)\n  residual then relu\n    conv(256, k=1)\n";
        var (run, _) = GeneratorHarness.Run(("/src/x.net.txt", text));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith("/src/x.net.txt(5,5): error NG0201: residual adds 256 channels (body, set on line 5) to 64 channels (the input: there is no shortcut)", diagnostic.ToString());
        Assert.Empty(run.GeneratedTrees);
    }

    [Fact]
    public void A_class_declared_by_two_files_is_reported_and_emitted_once()
    {
        const string text = "network Same\n  input 3\n  linear(2)\n";
        var (run, _) = GeneratorHarness.Run(("/a/one.net.txt", text), ("/b/two.net.txt", text));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0104", diagnostic.Id);
        Assert.StartsWith("/b/two.net.txt(1,9): error NG0104: class 'App.Same' is also generated from /a/one.net.txt(1,9)", diagnostic.ToString());
        Assert.Single(run.GeneratedTrees, t => t.FilePath.EndsWith("App.Same.g.cs", System.StringComparison.Ordinal));
    }

    [Fact]
    public void No_descriptor_links_to_a_page_that_is_not_published()
    {
        // The reference is docs/diagnostics.md, printed by 'netgen explain ID' (ExplainCommandTests checks every ID).
        Assert.All(DiagnosticDescriptors.Every, descriptor => Assert.Equal(string.Empty, descriptor.HelpLinkUri));
    }

    public static IEnumerable<object[]> Codes() => DiagnosticDescriptors.Every.Select(d => new object[] { d.Id });

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_is_documented(string code)
    {
        var docs = System.IO.File.ReadAllText(System.IO.Path.Combine(Repository.Root, "docs", "diagnostics.md"));
        Assert.Contains($"id=\"{code.ToLowerInvariant()}\"", docs);
        Assert.Contains($"## {code}", docs);
    }
}
