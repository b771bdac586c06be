using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Generator;

namespace NetGen.Tool;

/// <summary>One file of the example zoo (dsl-examples/Networks), as the tool carries it.</summary>
/// <param name="FileName">resnet.net.txt.</param>
/// <param name="Bytes">The file exactly as it is in the repository.</param>
public sealed record ZooFile(string FileName, byte[] Bytes)
{
    /// <summary>resnet for resnet.net.txt: what <c>netgen new</c> takes.</summary>
    public string Stem => FileName.EndsWith(NetGenGenerator.FileSuffix, StringComparison.OrdinalIgnoreCase)
        ? FileName.Substring(0, FileName.Length - NetGenGenerator.FileSuffix.Length)
        : FileName;

    /// <summary>The file's text (UTF-8, a byte order mark dropped).</summary>
    public string Text => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(Bytes).TrimStart('\uFEFF');

    /// <summary>The classes the file generates, networks and their variants, in file order.</summary>
    public IReadOnlyList<string> Networks => NetGenCompiler.Compile(new NetFile(FileName, Text, NetGenCompiler.DefaultNamespace)).Networks.Select(n => n.ClassName).ToList();
}

/// <summary>
/// The zoo's DSL files, embedded in the tool from dsl-examples/Networks (linked, not copied, in NetGen.Tool.csproj)
/// under the logical names <c>NetGen.Tool.Zoo.&lt;file&gt;</c>.
/// </summary>
public static class ZooFiles
{
    private const string Prefix = "NetGen.Tool.Zoo.";

    /// <summary>Every zoo file, in file name order.</summary>
    public static IReadOnlyList<ZooFile> All { get; } = Load();

    private static List<ZooFile> Load()
    {
        var assembly = typeof(ZooFiles).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var bytes = new MemoryStream();
                stream.CopyTo(bytes);
                return new ZooFile(name.Substring(Prefix.Length), bytes.ToArray());
            })
            .ToList();
    }
}
