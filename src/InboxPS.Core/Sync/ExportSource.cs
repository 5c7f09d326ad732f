namespace InboxPS.Core.Sync;

/// <summary>Where an exported item's message came from.</summary>
public enum ExportSource
{
    /// <summary>Copied from the .eml file written at sync time (-IncludeMime).</summary>
    Copied,

    /// <summary>Read from the server by its id, over the organization's connection.</summary>
    Fetched,
}
