using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Binding;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// Every layer descriptor is complete: its example binds without diagnostics, and the C# its emission
/// writes compiles without a warning. (The model tests run each example and compare its counts.)
/// </summary>
public class LayerCatalogTests
{
    public static IEnumerable<object[]> Layers() => LayerCatalog.All.Select(s => new object[] { s.Name });

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_example_of_each_layer_binds_emits_and_compiles_without_warnings(string name)
    {
        Assert.True(LayerCatalog.TryGet(name, out var spec));
        var (run, output) = GeneratorHarness.Run(("/p/layer.net.txt", spec.ExampleNetwork("Example")));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        var code = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Example.g.cs", StringComparison.Ordinal)).GetText().ToString();
        Assert.DoesNotContain("Identity()", name == "identity" ? string.Empty : code);
    }

    [Fact]
    public void Layer_names_are_unique_lowercase_words_and_activations_are_the_activation_role()
    {
        Assert.All(LayerCatalog.All, s => Assert.Matches("^[a-z][a-z0-9_]*$", s.Name));
        Assert.Equal(LayerCatalog.All.Select(s => s.Name).Distinct().Count(), LayerCatalog.All.Count());
        Assert.Equal(LayerCatalog.All.Where(s => s.Role == LayerRole.Activation).Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal), LayerCatalog.Activations);
    }
}
