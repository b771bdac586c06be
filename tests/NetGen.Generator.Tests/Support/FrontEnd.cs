using System.Linq;
using NetGen.Generator.Binding;
using NetGen.Generator.Diagnostics;

namespace NetGen.Generator.Tests.Support;

/// <summary>Shortcuts into the front end for tests.</summary>
public static class FrontEnd
{
    public static FileResult Compile(string text, string path = "test.net.txt") =>
        NetGenCompiler.Compile(new NetFile(path, text, "App"));

    public static NetworkModel Network(string text, string? name = null)
    {
        var result = Compile(text);
        Xunit.Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics.Select(d => d.ToString())));
        return name is null ? result.Networks.Single() : result.Networks.Single(n => n.ClassName == name);
    }

    public static DiagnosticInfo[] Errors(string text) => Compile(text).Diagnostics.ToArray();
}
