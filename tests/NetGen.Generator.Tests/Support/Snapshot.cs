using System;
using System.IO;
using Xunit;

namespace NetGen.Generator.Tests.Support;

/// <summary>
/// Snapshot testing in Verify's conventions: the expected text lives in NAME.verified.EXT; a mismatch
/// writes NAME.received.EXT beside it and fails. Set NETGEN_ACCEPT_SNAPSHOTS=1 to accept received text
/// (the equivalent of Verify's auto-verify), then review the diff before committing.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "NETGEN_ACCEPT_SNAPSHOTS";

    public static void Match(string name, string extension, string actual)
    {
        Directory.CreateDirectory(Repository.SnapshotFolder);
        var verified = Path.Combine(Repository.SnapshotFolder, $"{name}.verified.{extension}");
        var received = Path.Combine(Repository.SnapshotFolder, $"{name}.received.{extension}");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; wrote {received}. Review it and rename it to .verified, or run with {AcceptVariable}=1."
            : $"Snapshot {verified} differs; wrote {received}. Diff them, then accept with {AcceptVariable}=1 if the change is intended.");
    }
}
