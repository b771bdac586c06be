using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Tests.Support;
using Xunit;

namespace NetGen.Generator.Tests;

/// <summary>
/// Generated code runs wherever its input lives: it never makes a tensor itself (a factory would
/// put it on the CPU) and never reads a tensor back to the host (a GPU sync). Checked with the
/// semantic model over every class generated from the zoo.
/// </summary>
public class DeviceTests
{
    private static readonly HashSet<string> HostReads = new(StringComparer.Ordinal)
    {
        "item", "cpu", "cuda", "to", "data", "ToSingle", "ToDouble", "ToInt32", "ToInt64", "ToBoolean", "numpy", "tolist", "print", "ToString",
    };

    [Fact]
    public void No_generated_line_creates_a_tensor_or_reads_one_back_to_the_host()
    {
        var (_, output) = GeneratorHarness.Run(Repository.ZooFiles().Select(f => ("/zoo/" + f.Name, f.Text)).ToArray());
        var problems = new List<string>();
        var invocations = 0;
        foreach (var tree in output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)))
        {
            var model = output.GetSemanticModel(tree);
            foreach (var invocation in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method)
                {
                    continue;
                }

                invocations++;
                var returnsTensor = method.ReturnType.ToDisplayString() == "TorchSharp.torch.Tensor";
                var onTensor = method.ContainingType.ToDisplayString() == "TorchSharp.torch.Tensor";
                // torch.cat joins tensors the module was given or made, on their device (a dense block's forward).
                var factory = method.IsStatic && method.ContainingType.ToDisplayString() == "TorchSharp.torch" && returnsTensor && method.Name != "cat";
                if (factory || (onTensor && HostReads.Contains(method.Name)))
                {
                    problems.Add($"{System.IO.Path.GetFileName(tree.FilePath)}({invocation.GetLocation().GetLineSpan().StartLinePosition.Line + 1}): {invocation}");
                }
            }
        }

        Assert.True(invocations > 1000, $"only {invocations} calls seen: the check is not reading the generated code");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }
}
