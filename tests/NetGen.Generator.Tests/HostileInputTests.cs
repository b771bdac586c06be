using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Common;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// Files a hostile or careless user writes (issue 14): each becomes a located NG diagnostic or C# that
/// compiles, through the real generator driver, and never an exception that switches the generator off
/// (CS8785) or a crash of the compiler.
/// </summary>
public class HostileInputTests
{
    private const string Body = "  input 3x8x8\n  relu\n";

    /// <summary>Files, the expected NG code (null: none, and the C# must compile cleanly) and part of its message.</summary>
    public static readonly TheoryData<string, string[], string?, string> Cases = new()
    {
        { "classes differing in case", new[] { "network ResNet\n" + Body + "network Resnet\n" + Body }, "NG0104", "network 'Resnet' differs from 'ResNet' (line 1) only in case" },
        { "a variant differing in case", new[] { "network ResNet(w = 1)\n" + Body + "  variant Resnet(w = 2)\n" }, "NG0104", "differs from 'ResNet'" },
        { "classes differing in case across files", new[] { "network ResNet\n" + Body, "network Resnet\n" + Body }, "NG0104", "differs only in case from 'App.ResNet'" },
        { "the catalog's name", new[] { "namespace NetGen.Generated\nnetwork NetworkCatalog\n" + Body }, "NG0109", "is the project's catalog of networks" },
        { "a namespace named like the catalog", new[] { "namespace NetGen.Generated.NetworkCatalog\nnetwork A\n" + Body }, "NG0109", "is the project's catalog class" },
        { "the runtime's namespace", new[] { "namespace NetGen\nnetwork Sequence\n" + Body }, "NG0109", "generated code refers to types there" },
        { "a runtime type's name as a namespace", new[] { "namespace NetGen.Residual\nnetwork A\n" + Body }, "NG0109", "generated code refers to types there" },
        { "TorchSharp's namespace", new[] { "namespace TorchSharp.Modules\nnetwork A\n" + Body }, "NG0109", "generated code refers to types there" },
        { "a 2,000-character class name", new[] { "network A" + new string('b', 1999) + "\n" + Body }, "NG0109", "is 2,000 characters long" },
        { "a 2,000-character module key", new[] { "network A\n  input 3x8x8\n  " + new string('k', 2000) + ": relu\n" }, "NG0109", "may have at most 200" },
        { "auxiliary heads differing in case", new[] { "network A\n  input 3x8x8\n  aux1: aux H(2)\n  Aux1: aux H(2)\n  relu\nblock H(n)\n  adaptive_avgpool(1)\n  flatten\n  linear(n)\n" }, "NG0104", "auxiliary head 'Aux1' differs from 'aux1' (line 3) only in case" },
        { "an auxiliary head named twice", new[] { "network A\n  input 3x8x8\n  aux1: aux H(2)\n  aux1: aux H(2)\n  relu\nblock H(n)\n  adaptive_avgpool(1)\n  flatten\n  linear(n)\n" }, "NG0104", "duplicate module name 'aux1'" },
        { "an auxiliary head named like a record member", new[] { "network A\n  input 3x8x8\n  toString: aux H(2)\n  relu\nblock H(n)\n  adaptive_avgpool(1)\n  flatten\n  linear(n)\n" }, "NG0109", "it becomes the property 'ToString' of the generated Outputs record" },
        { "a parameter called nameof", new[] { "network A(nameof = 2)\n  input 3x8x8\n  conv(nameof, k=1)\n" }, null, string.Empty },
        { "a parameter called _1", new[] { "network A(_1 = 2)\n  input 3x8x8\n  conv(_1, k=1)\n" }, null, string.Empty },
        { "contextual keywords as parameters", new[] { "network A(var = 2, async = 3, record = 1)\n  input 3x8x8\n  conv(var + async + record, k=1)\n" }, null, string.Empty },
        { "U+2028 in a doc comment", new[] { "# text\u2028public class Injected { }\nnetwork A\n" + Body }, null, string.Empty },
        { "U+2029 and U+0085 in a doc comment", new[] { "# a\u2029public class Injected { }\n# b\u0085#if NEVER\nnetwork A\n" + Body }, null, string.Empty },
        { "a padding of long.MaxValue", new[] { "network A\n  input 3x8x8\n  pad(9223372036854775807)\n" }, "NG0303", "overflows" },
        { "a huge convolution padding", new[] { "network A\n  input 3x8x8\n  conv(4, k=3, p=4611686018427387904)\n" }, "NG0303", "overflows" },
        { "a huge convolution dilation", new[] { "network A\n  input 3x8x8\n  conv(4, k=3, d=4611686018427387904)\n" }, "NG0303", "overflows" },
        { "a huge pooling dilation", new[] { "network A\n  input 3x8x8\n  maxpool(k=3, d=4611686018427387904)\n" }, "NG0303", "overflows" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hostile_file_gives_a_located_diagnostic_or_clean_csharp(string what, string[] texts, string? code, string message)
    {
        var (run, output) = GeneratorHarness.Run(texts.Select((text, i) => ($"/p/file{i}.net.txt", text)).ToArray());
        AssertGeneratorSurvived(run);
        var errors = run.Diagnostics.Where(d => d.Id.StartsWith("NG", System.StringComparison.Ordinal)).ToList();
        if (code is null)
        {
            Assert.True(errors.Count == 0, $"{what}: {string.Join("\n", errors)}");
            Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
            Assert.Null(output.GetTypeByMetadataName("Injected"));
            Assert.Null(output.GetTypeByMetadataName("App.Injected"));
        }
        else
        {
            Assert.True(errors.Count == 1, $"{what}: {string.Join("\n", errors)}");
            var error = errors[0];
            Assert.Equal(code, error.Id);
            Assert.Contains(message, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.NotEqual(Location.None, error.Location);
            Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        }
    }

    [Fact]
    public void A_file_of_40000_networks_binds_its_first_1000_and_says_why_not_the_rest()
    {
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"network N{i}\n" + Body));
        var result = FrontEnd.Compile(text);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0301", error.Id);
        Assert.Contains("more than 1000 networks and variants", error.Message);
        Assert.Equal(1_000, result.Networks.Count);
    }

    [Fact]
    public void Nested_repeats_of_blocks_that_make_nothing_are_counted_and_emitted_in_linear_time()
    {
        // Ten blocks, each repeating the next 10,000 times: a DAG of ten distinct blocks, a tree of 10^40 sequences.
        var text = new StringBuilder("network A\n  input 3x8x8\n  B0\n");
        for (var i = 0; i < 10; i++)
        {
            text.Append($"block B{i}\n  ").Append(i < 9 ? $"B{i + 1} x 10000" : "relu when false").Append('\n');
        }

        var error = Assert.Single(FrontEnd.Errors(text.ToString()));
        Assert.Equal("NG0301", error.Id);
        Assert.Contains("more than 200000 modules", error.Message);

        // Within the limit the same shape emits each block once: 5 levels of 3 copies, 4 factories of 3 calls.
        var small = new StringBuilder("network A\n  input 3x8x8\n  B0\n");
        for (var i = 0; i < 5; i++)
        {
            small.Append($"block B{i}\n  ").Append(i < 4 ? $"B{i + 1} x 3" : "relu when false").Append('\n');
        }

        var source = NetGen.Generator.Emit.NetworkEmitter.Emit(FrontEnd.Network(small.ToString()), NetGenCompiler.Version);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(source, @"B1_1\(\)\)").Count);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(source, @"global::NetGen.Sequence B\d_1\(\) =>").Count);
    }

    [Fact]
    public void A_file_name_with_a_line_separator_injects_nothing()
    {
        var (run, output) = GeneratorHarness.Run(("/p/a\u2028public class Injected { }\u2028.net.txt", "network A\n" + Body));
        AssertGeneratorSurvived(run);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Null(output.GetTypeByMetadataName("Injected"));
    }

    [Fact]
    public void A_chain_of_100000_blocks_is_walked_without_recursion()
    {
        var text = new StringBuilder("network A\n" + Body);
        const int Blocks = 100_000;
        for (var i = 0; i < Blocks; i++)
        {
            text.Append("block B").Append(i).Append("\n  ").Append(i + 1 < Blocks ? $"B{i + 1}" : "relu").Append('\n');
        }

        // A cycle closed at the end of the chain is reported with its ends only.
        text.Append("block C0\n  C1\nblock C1\n  C2\nblock C2\n  C3\nblock C3\n  C4\nblock C4\n  C5\nblock C5\n  C6\nblock C6\n  C7\nblock C7\n  C8\nblock C8\n  C9\nblock C9\n  C0\n");
        var result = FrontEnd.Compile(text.ToString());
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0110", error.Id);
        Assert.Contains("C0 -> C1 -> C2 -> C3 -> … 2 more … -> C6 -> C7 -> C8 -> C9 -> C0", error.Message);
        Assert.Single(result.Networks);
    }

    /// <summary>Files whose work grows with products of numbers written in them: each must stop at the budget (NG0301).</summary>
    public static readonly TheoryData<string, string> Expensive = new()
    {
        { "nested spliced repeats of nothing", "network A\n  input 3x8x8\n  *seq x 10000\n    *seq x 10000\n      relu when false\n" },
        { "repeated lets", "network A\n  input 3x8x8\n  *seq x 10000\n    *seq x 10000\n      let a = 1\n  relu\n" },
        { "blocks called with distinct arguments", "network A\n  input 3x8x8\n  B(i) x 10000\nblock B(n)\n  C(n, i) x 10000\nblock C(n, m)\n  let a = n + m\n" },
        { "a long expression repeated", "network A\n  input 3x8x8\n  seq x 10000\n    let a = " + string.Join(" + ", Enumerable.Repeat("min(1, 2, 3, 4, 5, 6, 7, 8)", 90)) + "\n  relu\n" },
    };

    [Theory]
    [MemberData(nameof(Expensive))]
    public void Work_that_grows_without_modules_stops_at_the_budget(string what, string text)
    {
        var budget = new NetGen.Generator.Binding.WorkBudget(default);
        var result = NetGenCompiler.Compile(new NetFile("test.net.txt", text, "App"), budget: budget);
        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.Id == "NG0301", $"{what}: {error}");
        Assert.Contains("steps", error.Message);
        // Past the limit, expressions already under way end at once: the overshoot is a few terms.
        Assert.InRange(budget.Spent, budget.Limit, budget.Limit + 1_000);
    }

    [Fact]
    public void Every_zoo_file_binds_in_under_5_percent_of_the_budget()
    {
        var steps = new Dictionary<string, long>();
        foreach (var path in System.IO.Directory.GetFiles(System.IO.Path.Combine(Repository.Root, "dsl-examples", "Networks"), "*.net.txt"))
        {
            var budget = new NetGen.Generator.Binding.WorkBudget(default);
            var result = NetGenCompiler.Compile(new NetFile(path, System.IO.File.ReadAllText(path), "App"), budget: budget);
            Assert.Empty(result.Diagnostics);
            steps[System.IO.Path.GetFileName(path)] = budget.Spent;
        }

        var report = string.Join(", ", steps.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:N0}"));
        Assert.True(steps.Values.Max() < NetGen.Generator.Binding.WorkBudget.MaxSteps / 20, report);
    }

    [Fact]
    public void The_reserved_runtime_types_are_exactly_those_the_generated_code_names()
    {
        var catalog = NetGen.Generator.Emit.CatalogEmitter.Emit(new[] { new NetGen.Generator.Emit.CatalogEntry("App", "Net") }.ToEquatableArray(), NetGenCompiler.Version);
        // The zoo's blocks are nested classes where they can be: a connection written in a network's body still
        // builds the runtime's container.
        var (_, inline) = GeneratorHarness.Run(("/inline.net.txt", "network Inline\n  input 4x8x8\n  dense\n    conv(4, k=1)\n"));
        var generated = System.IO.Directory.GetFiles(System.IO.Path.Combine(Repository.Root, "tests", "NetGen.Generator.Tests", "Snapshots"), "*.verified.cs")
            .Select(System.IO.File.ReadAllText)
            .Concat(inline.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal)).Select(t => t.ToString()))
            .Append(catalog);
        var named = generated
            .SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text, @"global::NetGen\.([A-Za-z0-9_]+)").Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.Equal(named.OrderBy(n => n, System.StringComparer.Ordinal), NetGen.Generator.Binding.CSharpNames.RuntimeTypes.OrderBy(n => n, System.StringComparer.Ordinal));
    }

    [Fact]
    public void Generated_member_names_avoid_every_member_torchsharps_module_shows_a_derived_class()
    {
        // Fields are '_' + key and factories 'Name_N', properties start with a capital: the inherited names of
        // those shapes must be reserved.
        const System.Reflection.BindingFlags All = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static
            | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        var inherited = new HashSet<string>(System.StringComparer.Ordinal);
        var capitalized = new HashSet<string>(System.StringComparer.Ordinal);
        for (var type = typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>); type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers(All))
            {
                var visible = member switch
                {
                    System.Reflection.FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
                    System.Reflection.MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
                    System.Reflection.PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                    System.Reflection.EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily || add.IsFamilyOrAssembly),
                    System.Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
                    _ => false,
                };
                if (visible && (member.Name.StartsWith("_", System.StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(member.Name, "^[A-Za-z_][A-Za-z0-9_]*_[0-9]+$")))
                {
                    inherited.Add(member.Name);
                }

                if (visible && char.IsUpper(member.Name[0]) && member is not System.Reflection.ConstructorInfo)
                {
                    capitalized.Add(member.Name);
                }
            }
        }

        Assert.True(inherited.SetEquals(NetGen.Generator.Emit.MemberNames.InheritedMembers), string.Join(", ", inherited.OrderBy(n => n, System.StringComparer.Ordinal)));
        Assert.True(
            capitalized.SetEquals(NetGen.Generator.Emit.MemberNames.InheritedPublicMembers),
            string.Join(", ", capitalized.OrderBy(n => n, System.StringComparer.Ordinal)));
    }

    private static void AssertGeneratorSurvived(GeneratorDriverRunResult run)
    {
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CS8785");
    }
}
