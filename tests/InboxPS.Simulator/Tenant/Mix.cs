namespace InboxPS.Simulator.Tenant;

/// <summary>
/// Deterministic hashing (SplitMix64): every generated value is a pure function of (seed, mailbox, folder, item, field),
/// so nothing generated has to be stored and two runs with one seed are identical.
/// </summary>
internal static class Mix
{
    public static ulong Hash(long a, long b = 0, long c = 0, long d = 0, long e = 0)
    {
        var h = Step(0x9E3779B97F4A7C15UL ^ (ulong)a);
        h = Step(h ^ (ulong)b);
        h = Step(h ^ (ulong)c);
        h = Step(h ^ (ulong)d);
        return Step(h ^ (ulong)e);
    }

    /// <summary>A further value derived from an earlier hash.</summary>
    public static ulong Hash(ulong parent, long salt) => Hash(unchecked((long)parent), salt);

    /// <summary>A value in [0, range) from a hash.</summary>
    public static int Pick(ulong hash, int range) => range <= 0 ? 0 : (int)(hash % (ulong)range);

    /// <summary>A probability draw: true with probability <paramref name="percent"/>/100.</summary>
    public static bool Chance(ulong hash, int percent) => (int)(hash % 100UL) < percent;

    private static ulong Step(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
