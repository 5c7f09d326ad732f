using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>A mailbox put aside until <see cref="Due"/> (run time), and why.</summary>
internal sealed class ParkedMailbox
{
    public static readonly IComparer<ParkedMailbox> ByDue = Comparer<ParkedMailbox>.Create((a, b) =>
        a.Due != b.Due ? a.Due.CompareTo(b.Due) : a._sequence.CompareTo(b._sequence));

    private readonly long _sequence;

    public ParkedMailbox(MailboxTarget target, string errorId, TimeSpan due, bool afterInput, int parks, long sequence)
    {
        Target = target;
        ErrorId = errorId;
        Due = due;
        AfterInput = afterInput;
        Parks = parks;
        _sequence = sequence;
    }

    public MailboxTarget Target { get; }

    public string ErrorId { get; }

    public TimeSpan Due { get; }

    /// <summary>Failed without a server back-off: visited again only once the rest of the input is done.</summary>
    public bool AfterInput { get; }

    /// <summary>How often this mailbox has been parked in this run, this time included.</summary>
    public int Parks { get; }
}
