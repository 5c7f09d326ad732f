namespace InboxPS.Core.Organizations;

/// <summary>The Microsoft cloud an organization lives in; decides the sign-in authority and the EWS resource.</summary>
public enum ExchangeEnvironment
{
    Global,
    USGovGCCHigh,
    USGovDoD,
    China,
}
