using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Graph;

/// <summary>The app behind a Graph request, after its token was checked, with the Graph roles the token carries.</summary>
internal sealed record GraphCaller(string AppId, IReadOnlyList<string> Roles)
{
    public bool CanReadUsers => Roles.Any(r => r is GraphClouds.UserReadAll or "Directory.Read.All");

    public bool CanReadMail => Roles.Any(r => r is GraphClouds.MailRead or GraphClouds.MailReadBasicAll or "Mail.ReadWrite");

    /// <summary>Mail.ReadBasic.All alone excludes body, bodyPreview and MIME.</summary>
    public bool CanReadBodies => Roles.Any(r => r is GraphClouds.MailRead or "Mail.ReadWrite");
}
