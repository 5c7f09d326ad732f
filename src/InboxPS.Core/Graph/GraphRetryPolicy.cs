namespace InboxPS.Core.Graph;

/// <summary>How the Graph client retries throttling and transient faults: the shared rules of <see cref="RetryPolicy"/>,
/// so a Retry-After longer than <see cref="RetryPolicy.MaxHeldWait"/> parks the mailbox as an EWS back-off does.</summary>
public sealed class GraphRetryPolicy : RetryPolicy
{
}
