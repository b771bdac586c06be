using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace NetGen.Tool.Graph;

/// <summary>Finds Graphviz's <c>dot</c> on a search path and renders DOT text to SVG or PNG with it.</summary>
public static class Graphviz
{
    public const string NotFoundMessage =
        "Graphviz 'dot' was not found on PATH; install Graphviz (apt install graphviz / brew install graphviz / winget install graphviz) or use -o out.dot";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The full path of <c>dot</c> in the first folder of <paramref name="searchPath"/> that has it, or null.</summary>
    public static string? Locate(string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        var names = OperatingSystem.IsWindows() ? new[] { "dot.exe", "dot" } : new[] { "dot" };
        foreach (var folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(folder.Trim('"'), name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs <c>dot -T<paramref name="format"/> -o <paramref name="outputPath"/></c> on the DOT text; null on success, else dot's complaint.</summary>
    public static string? Render(string dotPath, string dot, string format, string outputPath)
    {
        var start = new ProcessStartInfo(dotPath)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-T" + format);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(outputPath);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("could not start " + dotPath);
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return $"could not run '{dotPath}': {error.Message}"; // found on PATH but not runnable
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return $"'{dotPath}' did not finish within {Timeout.TotalSeconds} seconds";
            }

            Task.WaitAll(errors, output);
            return process.ExitCode == 0 ? null : $"'{dotPath}' failed (exit code {process.ExitCode}): {errors.Result.Trim()}";
        }
    }
}
