using System.Threading;

namespace NetGen.Generator.Binding;

/// <summary>
/// All the binding work one file may take, counted in steps: statements (lets and items, also those a
/// 'when false' skips), repeat iterations, block expansions and expression nodes. Layers alone are not
/// enough: nested repeats of nothing, or lets repeated millions of times, make no module but take time.
/// The generator runs on every keystroke, so a file that spends the budget gets NG0301 rather than
/// minutes of work. Every 4,096 steps it honours the compiler's cancellation.
/// </summary>
public sealed class WorkBudget
{
    /// <summary>Steps per file: the zoo's largest file (efficientnet.net.txt, ten networks) takes 3.3 % of it (a test keeps every zoo file under 5 %).</summary>
    public const long MaxSteps = 1_000_000;

    private readonly CancellationToken _cancellation;
    private readonly long _limit;
    private long _spent;

    public WorkBudget(CancellationToken cancellation, long limit = MaxSteps)
    {
        _cancellation = cancellation;
        _limit = limit;
    }

    /// <summary>Steps taken so far.</summary>
    public long Spent => _spent;

    /// <summary>The most steps allowed.</summary>
    public long Limit => _limit;

    /// <summary>True once more steps were asked for than the limit allows.</summary>
    public bool Exhausted => _spent > _limit;

    /// <summary>Counts one step; false once the budget is spent.</summary>
    public bool Spend()
    {
        if ((++_spent & 0xFFF) == 0)
        {
            _cancellation.ThrowIfCancellationRequested();
        }

        return _spent <= _limit;
    }
}
