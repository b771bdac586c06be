using System;
using System.IO;
using static TorchSharp.torch;

namespace NetGen;

/// <summary>
/// TorchSharp's own format (<c>module.save</c>): a count, then each tensor's key, dtype, shape and bytes.
/// TorchSharp reads it straight into the module's tensors after comparing shapes, so a file can ask for no
/// more memory than the module already has; what is left to guard is the file's kind and the errors.
/// </summary>
internal static class TorchSharpFormat
{
    /// <exception cref="WeightLoadException">The file is missing, not regular, malformed, or not this module's.</exception>
    public static void Load(nn.Module module, string path, bool strict)
    {
        WeightFile.RequireRegular(path);
        try
        {
            ChannelsLast.WhileContiguous(module.state_dict().Values, () => module.load(path, strict));
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException or FormatException or OverflowException or NotImplementedException)
        {
            // TorchSharp says "mismatched" for a file of another network and EndOfStream for a cut one.
            throw WeightLoadException.InFile(path, $"it does not hold {module.GetName()}'s weights in TorchSharp's format ({error.Message})", innerException: error);
        }
    }
}
