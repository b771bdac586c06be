namespace NetGen.Generator;

/// <summary>Names of the pipeline steps, so tests can assert what was cached.</summary>
public static class TrackingNames
{
    public const string Files = nameof(Files);
    public const string Compiled = nameof(Compiled);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Networks = nameof(Networks);
    public const string Duplicates = nameof(Duplicates);
    public const string Emitted = nameof(Emitted);
    public const string Catalog = nameof(Catalog);
}
