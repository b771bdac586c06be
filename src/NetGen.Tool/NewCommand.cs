using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using NetGen.CommandLineSupport;

namespace NetGen.Tool;

/// <summary>
/// <c>netgen new [NAME] [-o FILE]</c>: writes one of the zoo's DSL files (<see cref="ZooFiles"/>), chosen by its
/// name (<c>resnet</c>) or by a network it defines (<c>ResNet50</c>), as a start for a project's own networks.
/// </summary>
public static class NewCommand
{
    /// <summary>The <c>new</c> command: its arguments, options and action.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "a zoo file (resnet, case-insensitive) or a network it defines (ResNet50); without it, the list of both",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "NAME",
        };
        name.CompletionSources.Add(_ => ZooFiles.All.Select(f => f.Stem));
        var destination = ToolOptions.Output("write the file there (its folder is created if missing) instead of to stdout", "FILE");
        var force = new Option<bool>("--force") { Description = "overwrite FILE if it exists" };
        var command = new Command("new", "Write one of the zoo's .net.txt files as a start for your own (netgen new resnet > Nets/resnet.net.txt); without NAME, list them.")
        {
            name,
            destination,
            force,
        };
        command.SetAction(parse => Run(parse.GetValue(name), parse.GetValue(destination), parse.GetValue(force), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Lists the zoo (no <paramref name="name"/>) or writes the file <paramref name="name"/> picks.</summary>
    public static int Run(string? name, string? destination, bool force, TextWriter output)
    {
        if (name is null)
        {
            if (destination is not null)
            {
                throw new UsageException("'new' needs the NAME of a zoo file or network to write to -o; 'netgen new' lists them");
            }

            List(output);
            return Cli.Success;
        }

        var file = Find(name);
        if (destination is null)
        {
            output.Write(file.Text);
            return Cli.Success;
        }

        if (File.Exists(destination) && !force)
        {
            throw new UsageException($"'{destination}' exists; give --force to overwrite it");
        }

        if (Directory.Exists(destination))
        {
            throw new UsageException($"'{destination}' is a directory; give the file to write, e.g. {Path.Combine(destination, file.FileName)}");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(destination, file.Bytes);
        output.WriteLine($"wrote {destination} ({file.FileName})");
        return Cli.Success;
    }

    /// <summary>The zoo file named <paramref name="name"/> (its stem or file name), else the one that defines the network <paramref name="name"/>.</summary>
    public static ZooFile Find(string name)
    {
        var byFile = ZooFiles.All.FirstOrDefault(f =>
            string.Equals(f.Stem, name, StringComparison.OrdinalIgnoreCase) || string.Equals(f.FileName, name, StringComparison.OrdinalIgnoreCase));
        if (byFile is not null)
        {
            return byFile;
        }

        var networks = ZooFiles.All.SelectMany(f => f.Networks.Select(n => (File: f, Network: n))).ToList();
        var byNetwork = networks.FirstOrDefault(p => string.Equals(p.Network, name, StringComparison.OrdinalIgnoreCase));
        if (byNetwork.File is not null)
        {
            return byNetwork.File;
        }

        var closest = Closest.Names(name, ZooFiles.All.Select(f => f.Stem).Concat(networks.Select(p => p.Network)));
        var suggestion = closest.Count > 0 ? $"; did you mean {Closest.Quoted(closest)}?" : string.Empty;
        throw new UsageException($"no zoo file or network '{name}'{suggestion} ('netgen new' lists them)");
    }

    /// <summary>One line per file: its name and the networks it defines.</summary>
    private static void List(TextWriter output)
    {
        output.WriteLine("netgen new NAME writes one of these files (NAME: the file's name without .net.txt, or one of its networks):");
        var width = ZooFiles.All.Max(f => f.FileName.Length);
        foreach (var file in ZooFiles.All)
        {
            output.WriteLine($"  {file.FileName.PadRight(width)}  {string.Join(", ", file.Networks)}");
        }
    }
}
