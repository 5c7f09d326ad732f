namespace InboxPS.Core.Ews;

/// <summary>How the EWS client retries: the shared rules of <see cref="RetryPolicy"/>.</summary>
public sealed class EwsRetryPolicy : RetryPolicy
{
}
