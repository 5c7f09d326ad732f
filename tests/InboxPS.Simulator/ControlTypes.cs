using System.Collections.Generic;

namespace InboxPS.Simulator;

/// <summary>How far a caller's impersonation right reaches.</summary>
public enum ImpersonationScope
{
    /// <summary>Every mailbox in the default management scope (all but outofscope@ in a --broken tenant).</summary>
    All,

    /// <summary>Only the listed mailboxes (a custom management scope).</summary>
    Mailboxes,

    /// <summary>No mailbox: every impersonated call is ErrorImpersonateUserDenied.</summary>
    None,
}

/// <summary>A user of the simulated tenant, as Get-User / Get-Mailbox would show them.</summary>
public sealed record SimulatedUser(
    string PrimarySmtpAddress,
    string UserPrincipalName,
    string Sid,
    string DisplayName,
    IReadOnlyList<string> Aliases,
    bool HasMailbox,
    bool Licensed,
    bool MoveInProgress,
    bool EwsEnabled,
    bool InDefaultImpersonationScope,
    string? Broken,
    string ObjectId = "");

/// <summary>Ground truth for one folder.</summary>
public sealed record FolderSnapshot(
    string FolderId, string? DistinguishedName, string DisplayName, string? ParentFolderId, string FolderClass, int TotalCount, int UnreadCount);

/// <summary>Ground truth for one item: what a correct client's store must hold for it.</summary>
/// <summary>What the identity endpoint issued (access, id and refresh tokens) and the client assertions it received.</summary>
public sealed record IssuedSecretsSnapshot(IReadOnlyList<string> Tokens, IReadOnlyList<string> ClientAssertions);

public sealed record ItemSnapshot(string ItemId, string ChangeKey, string FolderId, string Subject, bool IsRead, string InternetMessageId);

/// <summary>The items one injected batch created, updated, deleted and flipped the read flag of (EWS item ids).</summary>
public sealed record ChangeSet(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Deleted, IReadOnlyList<string> ReadFlagChanged);

/// <summary>Per-mailbox switches for <see cref="SimulatorControl.SetMailboxState"/>; null leaves a switch as it is.</summary>
public sealed class MailboxStateChange
{
    /// <summary>False makes impersonation answer ErrorNonExistentMailbox (a user without a mailbox).</summary>
    public bool? HasMailbox { get; init; }

    /// <summary>Reported by the control API's user list (an unlicensed user usually also has no mailbox).</summary>
    public bool? Licensed { get; init; }

    /// <summary>True answers every operation ErrorMailboxMoveInProgress.</summary>
    public bool? MoveInProgress { get; init; }

    /// <summary>False answers every call ErrorAccessDenied (EWS disabled for the mailbox).</summary>
    public bool? EwsEnabled { get; init; }

    /// <summary>True puts the mailbox outside the default management scope (ErrorImpersonateUserDenied for "All" rights).</summary>
    public bool? OutsideDefaultScope { get; init; }
}
