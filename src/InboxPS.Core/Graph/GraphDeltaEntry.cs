namespace InboxPS.Core.Graph;

/// <summary>One entry of a delta page: an object that is new or changed, or the id of one that was removed.</summary>
public sealed class GraphDeltaEntry<T>
    where T : class
{
    public GraphDeltaEntry(string id, T? value, string? removedReason)
    {
        Id = id;
        Value = value;
        RemovedReason = removedReason;
    }

    public string Id { get; }

    /// <summary>The new or changed object; null when the entry is a removal.</summary>
    public T? Value { get; }

    /// <summary>@removed's reason ("deleted", or "changed": moved out of this folder); null when not removed.</summary>
    public string? RemovedReason { get; }

    public bool IsRemoved => Value is null;
}
