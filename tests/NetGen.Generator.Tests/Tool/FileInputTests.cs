using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using NetGen.Tool;
using Xunit;

namespace NetGen.Generator.Tests.Tool;

/// <summary>
/// Paths that are not DSL files, for every command: each is refused with one line on standard error and
/// a non-zero exit, before it is read (a FIFO would block the open, <c>/dev/zero</c> never end).
/// </summary>
public sealed class FileInputTests : IDisposable
{
    private static readonly string[] Commands = { "check", "summary", "emit", "graph" };

    /// <summary>Each bad input by name: how to make it in a folder (returning the path to give), the exit code, and part of the message.</summary>
    private static readonly Dictionary<string, (Func<TempFolder, string> Create, int ExitCode, string Message)> Inputs = new()
    {
        ["/dev/zero"] = (_ => "/dev/zero", Cli.UsageError, "'/dev/zero' is a character device, not a regular file; give a .net.txt file"),
        ["a link to /dev/zero"] = (folder => Link(folder, "zero.net.txt", "/dev/zero"), Cli.UsageError, "is a character device, not a regular file"),
        ["a FIFO"] = (folder => Fifo(folder, "pipe.net.txt"), Cli.UsageError, "is a named pipe (FIFO), not a regular file"),
        ["a file over 16 MiB"] = (folder => Oversized(folder, "huge.net.txt"), Cli.Failure, "is larger than 16 MiB, the most NetGen reads from a DSL file"),
        ["a missing file"] = (folder => Path.Combine(folder.Path, "missing.net.txt"), Cli.UsageError, "no such file"),
    };

    private readonly TempFolder _folder = new();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var command in Commands)
        {
            foreach (var input in Inputs.Keys)
            {
                cases.Add(command, input);
            }
        }

        return cases;
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_path_that_is_not_a_DSL_file_is_refused_in_one_line(string command, string input)
    {
        var (create, exitCode, message) = Inputs[input];
        var path = create(_folder);

        var run = Task.Run(() => ToolRunner.Run(command, path));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        var result = await run;

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("netgen: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n'), l => l.Length > 0);
    }

    [Fact]
    public async Task Check_of_a_folder_holding_a_FIFO_refuses_it_in_one_line()
    {
        _folder.Write("good.net.txt", "network Good\n  input 4\n  linear(2)\n");
        Fifo(_folder, "pipe.net.txt");

        var run = Task.Run(() => ToolRunner.Run("check", _folder.Path));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        var result = await run;

        Assert.Equal(Cli.Failure, result.ExitCode);
        Assert.Equal($"netgen: '{Path.Combine(_folder.Path, "pipe.net.txt")}' is a named pipe (FIFO), not a regular file", result.Error.Trim());
    }

    [Fact]
    public void A_file_of_exactly_16_MiB_is_still_read()
    {
        var text = "network Edge\n  input 4\n  linear(2)\n";
        var padding = new string('#', (int)NetworkFiles.MaxFileBytes - text.Length - 1);
        var path = _folder.Write("edge.net.txt", text + padding + "\n");

        var result = ToolRunner.Run("check", path);

        Assert.Equal(Cli.Success, result.ExitCode);
        Assert.Equal("1 file, 1 class (1 network, 0 variants): 0 errors, 0 warnings", result.OutputLines.Single());
    }

    [Fact]
    public void An_internal_error_is_one_line_with_its_own_exit_code_that_asks_for_a_report()
    {
        using var error = new StringWriter();
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the binder lost its scope\nsecond line");
        }
        catch (InvalidOperationException exception)
        {
            thrown = exception;
        }

        var exitCode = Cli.ReportInternalError(thrown, error);

        Assert.Equal(Cli.InternalError, exitCode);
        Assert.Equal(
            $"netgen: internal error: InvalidOperationException in {nameof(FileInputTests)}.{nameof(An_internal_error_is_one_line_with_its_own_exit_code_that_asks_for_a_report)}: the binder lost its scope (a bug in netgen; please report it with the input)",
            error.ToString().Trim());
    }

    private static string Link(TempFolder folder, string name, string target)
    {
        var path = Path.Combine(folder.Path, name);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    private static string Fifo(TempFolder folder, string name)
    {
        var path = Path.Combine(folder.Path, name);
        Assert.Equal(0, MakeFifo(path, 0x180));
        return path;
    }

    /// <summary>A valid network followed by comment lines, one byte over the limit.</summary>
    private static string Oversized(TempFolder folder, string name)
    {
        var path = Path.Combine(folder.Path, name);
        using var file = new StreamWriter(path, append: false, new UTF8Encoding(false));
        file.Write("network Huge\n  input 4\n  linear(2)\n");
        var line = "# " + new string('x', 1021) + "\n";
        for (long written = 0; written <= NetworkFiles.MaxFileBytes; written += line.Length)
        {
            file.Write(line);
        }

        return path;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
