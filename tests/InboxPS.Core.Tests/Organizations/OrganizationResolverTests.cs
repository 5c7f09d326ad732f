using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Organizations;

/// <summary>The one way every cmdlet turns -Organization into a profile, over a catalog that is not a store.</summary>
public sealed class OrganizationResolverTests
{
    [Fact]
    public void A_name_finds_its_organization_whatever_the_case_and_spaces()
    {
        var catalog = new ListCatalog("Contoso", "Fabrikam");

        Assert.Equal("Fabrikam", OrganizationResolver.Resolve(catalog, "  fabrikam ").Name);
    }

    [Fact]
    public void No_name_means_the_only_organization()
    {
        Assert.Equal("Contoso", OrganizationResolver.Resolve(new ListCatalog("Contoso"), null).Name);
    }

    [Theory]
    [InlineData(new[] { "Contoso" }, "Nope", "OrganizationNotFound", InboxErrorKind.NotFound)]
    [InlineData(new string[0], null, "NoOrganization", InboxErrorKind.NotFound)]
    [InlineData(new[] { "Contoso", "Fabrikam" }, null, "OrganizationRequired", InboxErrorKind.InvalidArgument)]
    [InlineData(new[] { "Contoso", "Fabrikam" }, " ", "OrganizationRequired", InboxErrorKind.InvalidArgument)]
    public void What_cannot_be_resolved_has_one_stable_error(string[] names, string? asked, string errorId, InboxErrorKind kind)
    {
        var error = Assert.Throws<InboxException>(() => OrganizationResolver.Resolve(new ListCatalog(names), asked));

        Assert.Equal((errorId, kind), (error.ErrorId, error.Kind));
        Assert.NotNull(error.RecommendedAction);
    }

    [Fact]
    public void Several_organizations_are_named_in_the_error()
    {
        var error = Assert.Throws<InboxException>(() => OrganizationResolver.Resolve(new ListCatalog("Contoso", "Fabrikam"), null));

        Assert.Contains("Contoso, Fabrikam", error.Message);
    }

    private sealed class ListCatalog : IOrganizationCatalog
    {
        private readonly List<OrganizationProfile> _organizations;

        public ListCatalog(params string[] names) => _organizations = names.Select(n => new OrganizationProfile(n)).ToList();

        public IReadOnlyList<OrganizationProfile> GetOrganizations() => _organizations;

        public OrganizationProfile? GetOrganization(string name) =>
            _organizations.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

        public void SaveOrganization(OrganizationProfile profile) => throw new NotSupportedException();

        public bool RemoveOrganization(string name) => throw new NotSupportedException();
    }
}
