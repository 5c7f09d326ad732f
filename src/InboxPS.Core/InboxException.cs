using System;

namespace InboxPS.Core;

/// <summary>
/// Every failure InboxPS explains to an admin: a stable id (the FullyQualifiedErrorId prefix), a kind, a message that
/// names the record and, where there is one, the action that fixes it. Messages never carry secrets.
/// </summary>
public class InboxException : Exception
{
    public InboxException(string errorId, InboxErrorKind kind, string message, string? recommendedAction = null,
        object? target = null, Exception? innerException = null, SyncFault fault = SyncFault.None)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        RecommendedAction = recommendedAction;
        Target = target;
        Fault = fault;
    }

    /// <summary>Stable, documented identifier, e.g. <c>StoreSchemaTooNew</c>.</summary>
    public string ErrorId { get; }

    public InboxErrorKind Kind { get; }

    /// <summary>What the admin should do next, in one sentence; null when there is nothing to do but retry.</summary>
    public string? RecommendedAction { get; }

    /// <summary>The record the error is about (a mailbox address, an organization name, a path).</summary>
    public object? Target { get; }

    /// <summary>What the failure means to the sync engine, independent of the protocol that raised it.</summary>
    public SyncFault Fault { get; }

    /// <summary>How long the server asked to wait before this mailbox is tried again, when it said: the engine parks
    /// the mailbox until then.</summary>
    public virtual TimeSpan? BackOff => null;
}
