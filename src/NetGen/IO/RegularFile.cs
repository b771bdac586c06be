using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>
/// Whether a path is a regular file, asked before it is opened: opening a FIFO blocks until a writer
/// comes, and <c>/dev/zero</c> never ends. .NET reports no file type (dotnet/runtime#13946), so on Linux
/// the kernel is asked with <c>statx</c>; elsewhere only directories and missing paths are told apart.
/// Compiled into the runtime, the <c>netgen</c> tool and the examples, so all three refuse alike.
/// </summary>
internal static class RegularFile
{
    /// <summary>The most a DSL file may hold (16 MiB): the zoo's largest file is a few KB.</summary>
    public const long DslFileLimit = 16 * 1024 * 1024;

    // statx(2): AT_FDCWD resolves relative paths as open(2) would; STATX_TYPE asks for the file type only.
    private const int CurrentDirectory = -100;
    private const uint TypeMask = 0x1;
    private const int StatxSize = 256;
    private const int MaskOffset = 0;
    private const int ModeOffset = 28;

    private const int FileTypeBits = 0xF000;

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (or a link to one); otherwise what it is instead,
    /// as a phrase that follows the quoted path: "is a directory", "is a character device, not a regular file".
    /// </summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path))
        {
            return "is a directory";
        }

        if (!File.Exists(path))
        {
            return "does not exist";
        }

        return OperatingSystem.IsLinux() ? ProblemOfType(path) : null;
    }

    /// <summary>
    /// A DSL file's text, refused before it is opened when it is not a regular file, and once it passes
    /// <see cref="DslFileLimit"/> bytes (its length is not trusted: <c>/proc</c> files say 0).
    /// </summary>
    /// <exception cref="IOException">The path is not a regular file, is over the limit, or cannot be read.</exception>
    public static string ReadDslText(string path)
    {
        if (Problem(path) is { } problem)
        {
            throw new IOException($"'{path}' {problem}");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var bytes = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (bytes.Length + read > DslFileLimit)
            {
                throw new IOException($"'{path}' is larger than {Size(DslFileLimit)}, the most NetGen reads from a DSL file");
            }

            bytes.Write(buffer, 0, read);
        }

        // Decoded as File.ReadAllText decodes: UTF-8 unless a byte order mark says otherwise.
        bytes.Position = 0;
        using var reader = new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>A byte count as people say it: "16 MiB", "1.5 GiB", "512 bytes".</summary>
    public static string Size(long bytes)
    {
        string[] units = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString("#,0", CultureInfo.InvariantCulture) + " bytes"
            : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string? ProblemOfType(string path)
    {
        var status = new byte[StatxSize];
        try
        {
            // flags 0: links are followed, so a link to a regular file is one.
            if (Statx(CurrentDirectory, path, 0, TypeMask, status) != 0 || (BitConverter.ToUInt32(status, MaskOffset) & TypeMask) == 0)
            {
                return null; // the kernel did not say (an old kernel, a sandbox): open as before
            }
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a C library without statx (musl before 1.2.5)
        }

        return (BitConverter.ToUInt16(status, ModeOffset) & FileTypeBits) switch
        {
            0x8000 => null,
            0x4000 => "is a directory",
            0x2000 => "is a character device, not a regular file",
            0x6000 => "is a block device, not a regular file",
            0x1000 => "is a named pipe (FIFO), not a regular file",
            0xC000 => "is a socket, not a regular file",
            _ => "is not a regular file",
        };
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] status);
}
