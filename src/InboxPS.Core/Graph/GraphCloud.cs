namespace InboxPS.Core.Graph;

/// <summary>The Microsoft clouds Graph runs in; tokens and roots are not interchangeable between them.</summary>
public enum GraphCloud
{
    Global,
    USGovGCCHigh,
    USGovDoD,
    China,
}
