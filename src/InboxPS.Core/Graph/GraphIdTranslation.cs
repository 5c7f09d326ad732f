namespace InboxPS.Core.Graph;

/// <summary>One id translated by translateExchangeIds: the EWS id and its Graph (immutable) id, or why it failed.</summary>
public sealed class GraphIdTranslation
{
    public GraphIdTranslation(string sourceId, string? targetId, string? errorCode)
    {
        SourceId = sourceId;
        TargetId = targetId;
        ErrorCode = errorCode;
    }

    public string SourceId { get; }

    /// <summary>Null when Exchange could not translate the id (see <see cref="ErrorCode"/>).</summary>
    public string? TargetId { get; }

    public string? ErrorCode { get; }
}
