using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NetGen.Examples.Training;

/// <summary>
/// Whether a network can be trained in this process, decided from its compile-time parameter count
/// before it is built: libtorch asked for more memory than there is stops the process or swaps it to a
/// halt, and no exception can be caught in time.
/// </summary>
public static class MemoryBudget
{
    /// <summary>A built network holds its parameters as float32.</summary>
    public const long BytesPerBuiltParameter = sizeof(float);

    /// <summary>
    /// Training holds about four float32 copies of every parameter: the weights, their gradients, SGD's
    /// momentum, and as much again in temporaries. Activations come on top; the check is a floor.
    /// </summary>
    public const long BytesPerTrainedParameter = 4 * BytesPerBuiltParameter;

    /// <summary>
    /// The memory this process may still take: the smaller of Linux's MemAvailable (what the kernel can
    /// give without swapping) and the GC's limit (the machine's memory, or a container's limit).
    /// </summary>
    public static long AvailableBytes()
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return MemAvailable() is { } available ? Math.Min(available, limit) : limit;
    }

    /// <summary>Refuses a network whose training would not fit in <paramref name="availableBytes"/> (this machine's when null).</summary>
    /// <param name="network">The network as the message should name it.</param>
    /// <param name="parameters">Its trainable parameters, known at compile time.</param>
    /// <param name="availableBytes">The memory to fit in; <see cref="AvailableBytes"/> when null.</param>
    /// <exception cref="InsufficientMemoryException">Training would need more memory than there is.</exception>
    public static void RequireTrainable(string network, long parameters, long? availableBytes = null) =>
        Require(network, parameters, BytesPerTrainedParameter, "training it", "weights, gradients, momentum, temporaries", availableBytes);

    /// <summary>Refuses a network whose weights alone would not fit (for commands that build it without training).</summary>
    /// <exception cref="InsufficientMemoryException">Its weights would need more memory than there is.</exception>
    public static void RequireBuildable(string network, long parameters, long? availableBytes = null) =>
        Require(network, parameters, BytesPerBuiltParameter, "building it", "float32 weights", availableBytes);

    private static void Require(string network, long parameters, long bytesPerParameter, string doing, string held, long? availableBytes)
    {
        var available = availableBytes ?? AvailableBytes();
        if (parameters > available / bytesPerParameter)
        {
            // Past 2^63 bytes the figure in the message saturates; the decision above never overflows.
            var needed = parameters > long.MaxValue / bytesPerParameter ? long.MaxValue : parameters * bytesPerParameter;
            throw new InsufficientMemoryException(string.Create(
                CultureInfo.InvariantCulture,
                $"{network} has {parameters:#,0} parameters; {doing} needs about {RegularFile.Size(needed)} ({bytesPerParameter} bytes a parameter: {held}), but {RegularFile.Size(available)} of memory is available"));
        }
    }

    /// <summary>MemAvailable from /proc/meminfo, in bytes; null off Linux or when it cannot be read.</summary>
    private static long? MemAvailable()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            return long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value * 1024 : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
