using System.Text;
using InboxPS.Core.Auth;

namespace InboxPS.Core.Tests.Auth;

public sealed class JwtClaimsTests
{
    [Fact]
    public void Reads_expiry_account_app_and_tenant_from_a_delegated_token()
    {
        var token = Jwt("""{"exp":1795000000,"upn":"svc@contoso.com","appid":"app-1","tid":"tenant-1"}""");

        var claims = JwtClaims.TryRead(token)!;

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795000000), claims.ExpiresOn);
        Assert.Equal("svc@contoso.com", claims.Account);
        Assert.Equal("app-1", claims.AppId);
        Assert.Equal("tenant-1", claims.TenantId);
    }

    [Fact]
    public void An_app_only_token_has_no_account()
    {
        var claims = JwtClaims.TryRead(Jwt("""{"exp":1795000000,"azp":"app-2","roles":["full_access_as_app"]}"""))!;

        Assert.Null(claims.Account);
        Assert.Equal("app-2", claims.AppId);
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.WzFd.")]
    public void Opaque_or_malformed_tokens_have_no_claims(string token)
    {
        Assert.Null(JwtClaims.TryRead(token));
    }

    private static string Jwt(string payload) =>
        Segment("""{"alg":"none"}""") + "." + Segment(payload) + ".";

    private static string Segment(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
