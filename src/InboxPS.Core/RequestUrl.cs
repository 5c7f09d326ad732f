using System;

namespace InboxPS.Core;

/// <summary>How an error names the URL a request called: without user information or query (a delta or skip token).</summary>
internal static class RequestUrl
{
    /// <summary>"https://host/path", or an empty string when there is no URL.</summary>
    public static string Show(Uri? url) =>
        url is null || !url.IsAbsoluteUri ? string.Empty : $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";
}
