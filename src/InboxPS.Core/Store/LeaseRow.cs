using System;
using System.Diagnostics;
using System.IO;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>A mailbox's claim row as both stores read it, and the one rule that decides whether a run may take it.</summary>
internal sealed class LeaseRow
{
    public LeaseRow(string? holderToken, string? holder, DateTimeOffset? expires, string? finishedToken, string? finishedBy,
        DateTimeOffset? finished)
    {
        HolderToken = holderToken;
        Holder = holder;
        Expires = expires;
        FinishedToken = finishedToken;
        FinishedBy = finishedBy;
        Finished = finished;
    }

    public string? HolderToken { get; }
    public string? Holder { get; }
    public DateTimeOffset? Expires { get; }
    public string? FinishedToken { get; }
    public string? FinishedBy { get; }
    public DateTimeOffset? Finished { get; }

    /// <summary>
    /// Null when <paramref name="run"/> may claim the mailbox at <paramref name="now"/> (the store's clock): nobody holds an
    /// unexpired claim, and no other run finished it since this run's round began. Otherwise the refusal.
    /// </summary>
    public MailboxClaim? Refusal(SyncRun run, string mailbox, DateTimeOffset now)
    {
        if (HolderToken is not null && HolderToken != run.Token && Expires is { } expires && expires > now &&
            !HeldByDeadProcessHere(HolderToken))
        {
            return MailboxClaim.HeldBy(run, mailbox, Holder ?? "?", expires);
        }

        if (FinishedToken is not null && FinishedToken != run.Token && Finished is { } finished && finished >= run.RoundStarted)
        {
            return MailboxClaim.FinishedBy(run, mailbox, FinishedBy ?? "?", finished);
        }

        return null;
    }

    /// <summary>
    /// A run's token: unique, and naming this machine (its name and, on Linux, its boot) and process, so a worker that
    /// restarts on the same machine after a hard kill takes its dead predecessor's claims at once instead of waiting for
    /// them to expire.
    /// </summary>
    public static string NewRunToken()
    {
        using var process = Process.GetCurrentProcess();
        return $"{Guid.NewGuid():N}@{HostId}/{process.Id}";
    }

    private static readonly Lazy<string> s_hostId = new(() =>
    {
        var boot = string.Empty;
        try
        {
            const string bootId = "/proc/sys/kernel/random/boot_id";
            boot = File.Exists(bootId) ? "~" + File.ReadAllText(bootId).Trim() : string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return Environment.MachineName + boot;
    });

    private static string HostId => s_hostId.Value;

    /// <summary>True when the token names a process of this machine (this boot) that is no longer running.</summary>
    internal static bool HeldByDeadProcessHere(string token)
    {
        var at = token.IndexOf('@');
        var slash = token.LastIndexOf('/');
        if (at < 0 || slash < at || !string.Equals(token.Substring(at + 1, slash - at - 1), HostId, StringComparison.Ordinal) ||
            !int.TryParse(token.Substring(slash + 1), out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
