using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Binding;
using NetGen.Generator.Common;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

public class IncrementalTests
{
    private const string First = "network First\n  input 3x8x8\n  conv(4, k=3)\n";
    private const string Second = "network Second\n  input 3x8x8\n  conv(6, k=3)\n";

    private static readonly string[] Steps = { TrackingNames.Files, TrackingNames.Compiled, TrackingNames.Networks, TrackingNames.Emitted };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation, InMemoryAdditionalText FirstFile) Start()
    {
        var first = new InMemoryAdditionalText("/p/first.net.txt", First);
        var driver = GeneratorHarness.CreateDriver(new AdditionalText[] { first, new InMemoryAdditionalText("/p/second.net.txt", Second) });
        var compilation = GeneratorHarness.EmptyCompilation();
        driver = driver.RunGenerators(compilation);
        return (driver, compilation, first);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var runs) ? runs.SelectMany(r => r.Outputs).Select(o => o.Reason) : Enumerable.Empty<IncrementalStepRunReason>();

    [Fact]
    public void A_csharp_edit_does_no_generator_work()
    {
        var (driver, compilation, _) = Start();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { class Edited { } }"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in Steps)
        {
            var reasons = Reasons(result, step).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Editing_one_file_recompiles_and_reemits_only_its_network()
    {
        var (driver, compilation, first) = Start();
        driver = driver.ReplaceAdditionalText(first, new InMemoryAdditionalText(first.Path, First.Replace("conv(4", "conv(5")));
        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }, Reasons(result, TrackingNames.Compiled).OrderBy(r => r));
        Assert.Equal(
            new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached },
            Reasons(result, TrackingNames.Emitted).OrderBy(r => r));
    }

    [Fact]
    public void Moving_text_within_a_file_without_changing_a_network_reemits_nothing()
    {
        var (driver, compilation, first) = Start();
        driver = driver.ReplaceAdditionalText(first, new InMemoryAdditionalText(first.Path, "# a new comment line\n\n" + First.Replace("conv(4, k=3)", "conv(4,   k=3)")));
        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.All(Reasons(result, TrackingNames.Emitted), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Pipeline_models_hold_no_roslyn_symbols_syntax_or_locations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(Location), typeof(SemanticModel), typeof(SyntaxTree) };
        var zoo = Repository.ZooFiles().Select(f => NetGenCompiler.Compile(new NetFile(f.Name, f.Text, "App")));
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var result in zoo)
        {
            Walk(result, forbidden, seen, "FileResult");
        }
    }

    private static void Walk(object? value, Type[] forbidden, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        var type = value.GetType();
        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.Name}");
        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                Walk(item, forbidden, seen, $"{path}[{index++}]");
            }

            return;
        }

        if (type.Namespace?.StartsWith("NetGen", StringComparison.Ordinal) != true && !type.IsValueType)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            Walk(property.GetValue(value), forbidden, seen, path + "." + property.Name);
        }
    }

    [Fact]
    public void Models_compare_by_value()
    {
        var a = FrontEnd.Compile(First);
        var b = FrontEnd.Compile(First);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, FrontEnd.Compile(Second));
    }

    [Fact]
    public void A_shared_subtree_is_compared_against_each_of_its_counterparts()
    {
        // The new tree uses one instance twice; the old tree has two instances. Proving the first pair
        // equal must not let the second pass unseen.
        var shared = Block("relu");
        var current = Tree(shared, shared);
        Assert.Equal(Tree(Block("relu"), Block("relu")), current);
        Assert.NotEqual(Tree(Block("relu"), Block("silu")), current);
        Assert.NotEqual(Tree(Block("silu"), Block("relu")), current);
        Assert.NotEqual(current, Tree(Block("relu"), Block("silu")));
        Assert.Equal(Tree(Block("relu"), Block("relu")).GetHashCode(), current.GetHashCode());
    }

    [Fact]
    public void Networks_made_of_reused_block_expansions_compare_by_value()
    {
        // Every Unit call below with the same arguments reuses one expansion, so both compiles are DAGs.
        const string text = """
            network Net
              input 3x16x16
              Unit(8) x 3
              Unit(8, eps=0.001) x 2

            block Unit(out, eps=0.00001)
              conv(out, k=3, p=1)
              batchnorm(eps=eps)
              relu
            """;
        var compiled = FrontEnd.Compile(text);
        Assert.Empty(compiled.Diagnostics);
        Assert.Single(compiled.Networks);
        Assert.Equal(compiled, FrontEnd.Compile(text));
        Assert.NotEqual(FrontEnd.Compile(text), FrontEnd.Compile(text.Replace("eps=0.001", "eps=0.002", StringComparison.Ordinal)));
        Assert.NotEqual(FrontEnd.Compile(text), FrontEnd.Compile(text.Replace("relu", "silu", StringComparison.Ordinal)));
    }

    private static readonly Shape Map = Shape.Spatial(4, 8, 8);

    private static SequenceModel Block(string activation) =>
        new(new EquatableArray<ChildModel>(ImmutableArray.Create(new ChildModel("0", new LayerModel(Spec(activation), EquatableArray<LayerArgument>.Empty, Map, Map, 0, 0)))), "Unit", Map, Map, 0, 0);

    private static LayerSpec Spec(string layer) => LayerCatalog.TryGet(layer, out var spec) ? spec : throw new ArgumentException(layer, nameof(layer));

    private static ChildModel Tree(ModuleModel first, ModuleModel second) =>
        new("features", new SequenceModel(new EquatableArray<ChildModel>(ImmutableArray.Create(new ChildModel("0", first), new ChildModel("1", second))), null, Map, Map, 0, 0));
}
