using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Writes a <see cref="SyncReport"/> as one self-contained HTML file: inline CSS, an inline SVG chart, a few lines of
/// inline script for the search; nothing loaded from anywhere, so it opens offline from a mail attachment. Figures carry
/// data- attributes (the exact numbers) beside the text an admin reads, so a test can compare them.
/// </summary>
public static class SyncReportHtml
{
    private const int ChartBuckets = 24;
    private const int Listed = 10;

    /// <summary>Writes the report to <paramref name="path"/>, whole or not at all, readable by its owner only (it names users and their errors).</summary>
    public static void WriteFile(SyncReport report, string path)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(report, writer);
        MimeExporter.WriteAtomically(path, new UTF8Encoding(false).GetBytes(writer.ToString()));
    }

    public static void Write(SyncReport report, TextWriter html)
    {
        var users = report.Users;
        var title = report.RunId is { } run
            ? $"InboxPS sync report: {report.Organization.Name}, run {run}"
            : $"InboxPS sync report: {report.Organization.Name}";
        html.WriteLine("<!DOCTYPE html>");
        html.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.WriteLine($"<title>{E(title)}</title>");
        html.WriteLine("<style>" + Css + "</style></head><body>");
        html.WriteLine($"<h1>{E(title)}</h1>");
        html.WriteLine($"<p class=\"meta\">Generated {E(Time(report.Generated))} UTC · access type {E(report.Organization.AccessType.ToString())}</p>");

        WriteTotals(report, html);
        WriteFailures(report, html);
        WriteChart(report, html);
        WriteRanking(html, "Slowest mailboxes (last run)", "slowest",
            users.Where(u => u.LastDuration is not null).OrderByDescending(u => u.LastDuration).Take(Listed),
            u => $"{u.LastDuration!.Value.TotalSeconds:0.0} s", u => u.LastDuration!.Value.TotalMilliseconds);
        WriteRanking(html, "Largest mailboxes", "largest",
            users.OrderByDescending(u => u.Size).Take(Listed), u => $"{u.Size / 1048576.0:0.0} MB, {u.Items} items", u => u.Size);
        WriteUsers(report, html);
        html.WriteLine("<script>" + Script + "</script>");
        html.WriteLine("</body></html>");
    }

    private static void WriteTotals(SyncReport report, TextWriter html)
    {
        var users = report.Users;
        var runs = report.MailboxRuns;
        html.WriteLine("<section id=\"totals\"><h2>Totals</h2><dl>");
        Total(html, "users", "Users", users.Count);
        Total(html, "synced", "Synced", users.Count(u => u.Status == RosterStatus.Synced));
        Total(html, "failed", "Failed", users.Count(u => u.Status == RosterStatus.Failed));
        Total(html, "items", "Items stored", users.Sum(u => (long)u.Items));
        Total(html, "size", "Size (MB)", users.Sum(u => u.Size), $"{users.Sum(u => u.Size) / 1048576.0:0.0}");
        Total(html, "skipped", "Items skipped", users.Sum(u => (long)u.SkippedItems));
        Total(html, "added", "Items added", runs.Sum(r => (long)r.ItemsAdded));
        Total(html, "updated", "Items updated", runs.Sum(r => (long)r.ItemsUpdated));
        Total(html, "deleted", "Items deleted", runs.Sum(r => (long)r.ItemsDeleted));
        Total(html, "calls", "Calls", runs.Sum(r => (long)r.Calls));
        var throttled = TimeSpan.FromTicks(runs.Sum(r => r.Throttled.Ticks));
        Total(html, "throttled", "Throttled (s)", (long)throttled.TotalSeconds, $"{throttled.TotalSeconds:0.0}");
        html.WriteLine("</dl></section>");
    }

    private static void Total(TextWriter html, string id, string label, long value, string? text = null) =>
        html.WriteLine($"<div class=\"total\" data-total=\"{id}\" data-value=\"{value}\"><dt>{E(label)}</dt><dd>{E(text ?? value.ToString("N0", CultureInfo.InvariantCulture))}</dd></div>");

    private static void WriteFailures(SyncReport report, TextWriter html)
    {
        var groups = report.Users.Where(u => u.Status == RosterStatus.Failed && u.Failures.Count > 0)
            .GroupBy(u => u.Failures[0].ErrorId!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        html.WriteLine("<section id=\"failures\"><h2>Failures by reason</h2>");
        if (groups.Count == 0)
        {
            html.WriteLine("<p>No user failed.</p></section>");
            return;
        }

        html.WriteLine("<table><thead><tr><th>Error</th><th>Users</th><th>What to do</th><th>Who</th></tr></thead><tbody>");
        foreach (var group in groups)
        {
            var first = group.First().Failures[0];
            html.WriteLine($"<tr class=\"failure\" data-error=\"{E(group.Key)}\" data-users=\"{group.Count()}\"><td><b>{E(group.Key)}</b><br>{E(first.Message)}</td>" +
                           $"<td class=\"num\">{group.Count()}</td><td>{E(first.RecommendedAction)}</td>" +
                           $"<td>{E(string.Join(", ", group.Select(u => u.Mailbox).Take(Listed)))}{(group.Count() > Listed ? " …" : string.Empty)}</td></tr>");
        }

        html.WriteLine("</tbody></table></section>");
    }

    private static void WriteChart(SyncReport report, TextWriter html)
    {
        var buckets = report.Timeline(ChartBuckets);
        html.WriteLine("<section id=\"chart\"><h2>Throughput and throttling over time</h2>");
        if (buckets.Count == 0)
        {
            html.WriteLine("<p>No mailbox run recorded yet.</p></section>");
            return;
        }

        const int width = 720, height = 200, left = 40, bottom = 20;
        var maxMailboxes = Math.Max(1, buckets.Max(b => b.Mailboxes));
        var maxThrottled = Math.Max(1, buckets.Max(b => b.Throttled.TotalSeconds));
        var slot = (width - left) / (double)buckets.Count;
        html.WriteLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height + bottom}\" width=\"{width}\" height=\"{height + bottom}\" role=\"img\" aria-label=\"Mailboxes finished and seconds throttled per time slice\">");
        html.WriteLine($"<line x1=\"{left}\" y1=\"{height}\" x2=\"{width}\" y2=\"{height}\" class=\"axis\"/>");
        html.WriteLine($"<text x=\"0\" y=\"12\" class=\"label\">{maxMailboxes}</text><text x=\"0\" y=\"{height}\" class=\"label\">0</text>");
        var line = new StringBuilder();
        for (var i = 0; i < buckets.Count; i++)
        {
            var b = buckets[i];
            var x = left + i * slot;
            var h = b.Mailboxes * (height - 10) / (double)maxMailboxes;
            html.WriteLine(F($"<rect class=\"bar\" x=\"{x + 1:0.0}\" y=\"{height - h:0.0}\" width=\"{slot - 2:0.0}\" height=\"{h:0.0}\" data-start=\"{Time(b.Start)}\" data-mailboxes=\"{b.Mailboxes}\" data-items=\"{b.Items}\" data-throttled=\"{b.Throttled.TotalSeconds:0.###}\"><title>{Time(b.Start)}: {b.Mailboxes} mailboxes, {b.Items} items, throttled {b.Throttled.TotalSeconds:0.0} s</title></rect>"));
            line.Append(F($"{(i == 0 ? "M" : "L")}{x + slot / 2:0.0},{height - b.Throttled.TotalSeconds * (height - 10) / maxThrottled:0.0} "));
        }

        html.WriteLine($"<path class=\"throttle\" d=\"{line.ToString().Trim()}\"/>");
        html.WriteLine($"<text x=\"{left}\" y=\"{height + 15}\" class=\"label\">{E(Time(buckets[0].Start))}</text>");
        html.WriteLine("</svg><p class=\"legend\"><span class=\"key bar\"></span> mailboxes finished <span class=\"key throttle\"></span> seconds throttled (scaled to its own maximum, " +
                       F($"{maxThrottled:0.0}") + " s)</p></section>");
    }

    private static void WriteRanking(TextWriter html, string heading, string id, System.Collections.Generic.IEnumerable<MailboxStatistics> users,
        Func<MailboxStatistics, string> text, Func<MailboxStatistics, double> value)
    {
        html.WriteLine($"<section id=\"{id}\"><h2>{E(heading)}</h2><ol>");
        foreach (var user in users)
        {
            html.WriteLine(F($"<li data-mailbox=\"{E(user.Mailbox)}\" data-value=\"{value(user):0.###}\">{E(user.Mailbox)}: {E(text(user))}</li>"));
        }

        html.WriteLine("</ol></section>");
    }

    private static void WriteUsers(SyncReport report, TextWriter html)
    {
        html.WriteLine("<section id=\"users\"><h2>Users</h2>");
        html.WriteLine($"<p><input id=\"search\" type=\"search\" placeholder=\"Search mailbox, status or error\" aria-label=\"Search users\"> <span id=\"shown\">{report.Users.Count} of {report.Users.Count}</span> users shown</p>");
        html.WriteLine("<table id=\"user-table\"><thead><tr><th>Mailbox</th><th>Status</th><th>Items</th><th>Size (MB)</th><th>Skipped</th><th>Last success (UTC)</th><th>Last run (s)</th><th>Calls</th><th>Throttled (s)</th><th>Last error</th></tr></thead><tbody>");
        foreach (var u in report.Users)
        {
            var error = u.Status == RosterStatus.Failed && u.Failures.Count > 0 ? u.Failures[0].ErrorId : null;
            html.WriteLine(F($"<tr class=\"user\" data-mailbox=\"{E(u.Mailbox)}\" data-items=\"{u.Items}\" data-size=\"{u.Size}\" data-skipped=\"{u.SkippedItems}\"><td>{E(u.Mailbox)}</td><td>{E(u.Status)}</td><td class=\"num\">{u.Items}</td>") +
                             F($"<td class=\"num\">{u.Size / 1048576.0:0.00}</td><td class=\"num\">{u.SkippedItems}</td><td>{(u.LastSuccess is { } s ? Time(s) : string.Empty)}</td>") +
                             F($"<td class=\"num\">{u.LastDuration?.TotalSeconds:0.0}</td><td class=\"num\">{u.LastCalls}</td><td class=\"num\">{u.LastThrottled?.TotalSeconds:0.0}</td><td>{E(error)}</td></tr>"));
        }

        html.WriteLine("</tbody></table></section>");
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body{font:14px system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222}
        h1{font-size:22px}h2{font-size:17px;margin-top:28px}.meta{color:#666}
        dl{display:flex;flex-wrap:wrap;gap:10px}.total{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
        dt{color:#666;font-size:12px}dd{margin:0;font-size:20px;font-weight:600}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#f6f6f6}.num{text-align:right}
        svg .bar{fill:#4a7fd4}svg .throttle{fill:none;stroke:#d4544a;stroke-width:2}svg .axis{stroke:#999}svg .label{font-size:11px;fill:#666}
        .key{display:inline-block;width:12px;height:12px;vertical-align:middle}.key.bar{background:#4a7fd4}.key.throttle{background:#d4544a}
        #search{padding:4px 8px;width:280px}
        """;

    private const string Script = """
        (function(){
          var search=document.getElementById('search'),rows=document.querySelectorAll('#user-table tbody tr'),shown=document.getElementById('shown');
          function filter(){var q=search.value.toLowerCase(),n=0;
            rows.forEach(function(r){var hit=r.textContent.toLowerCase().indexOf(q)>=0;r.style.display=hit?'':'none';if(hit)n++;});
            shown.textContent=n+' of '+rows.length;}
          search.addEventListener('input',filter);
          var q=new URLSearchParams(location.search).get('q');if(q){search.value=q;}
          filter();
          document.body.setAttribute('data-ready','true');
        })();
        """;
}
