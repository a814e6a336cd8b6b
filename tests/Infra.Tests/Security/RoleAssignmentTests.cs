using JwtFunctions.Infra.Tests.Infrastructure;

namespace JwtFunctions.Infra.Tests.Security;

public sealed class RoleAssignmentTests
{
    // Built-in role definition IDs, the same in every tenant: Learn, "Azure built-in roles" (Storage,
    // Monitor, Security categories; learn.microsoft.com/azure/role-based-access-control/built-in-roles).
    // StorageTableDataContributor ("Allows for read, write and delete access to Azure Storage tables
    // and entities") re-checked 2026-12-01 against that page's Storage category and a generated
    // table of built-in role IDs in a public Azure SDK repository.
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private static string AppIdentityId => Artifacts.Snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Str("id")!;

    private static List<RoleAssignment> AppAssignments =>
        Artifacts.Snapshot.RoleAssignments.Where(a => a.IsForIdentity(AppIdentityId)).ToList();

    public static TheoryData<string, string, string> AppRoles => new()
    {
        { "Storage Blob Data Owner", StorageBlobDataOwner, "Microsoft.Storage/storageAccounts" },
        { "Storage Queue Data Contributor", StorageQueueDataContributor, "Microsoft.Storage/storageAccounts" },
        { "Storage Table Data Contributor", StorageTableDataContributor, "Microsoft.Storage/storageAccounts" },
        { "Monitoring Metrics Publisher", MonitoringMetricsPublisher, "Microsoft.Insights/components" },
        { "Key Vault Secrets User", KeyVaultSecretsUser, "Microsoft.KeyVault/vaults" },
    };

    [Theory]
    [MemberData(nameof(AppRoles))]
    public void AppIdentityHoldsRoleOnItsResourceOnly(string roleName, string roleId, string scopeType)
    {
        var scope = Artifacts.Snapshot.Single(scopeType).Str("id")!;
        var matches = AppAssignments.Where(a => a.IsRole(roleId)).ToList();
        var assignment = Assert.Single(matches);
        Assert.True(
            string.Equals(scope, assignment.Scope, StringComparison.OrdinalIgnoreCase),
            $"{roleName} must be assigned on {scope}, not on {assignment.Scope}.");
        Assert.Equal("ServicePrincipal", assignment.PrincipalType);
        Assert.Equal(
            $"/subscriptions/{Artifacts.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleId}",
            assignment.RoleDefinitionId,
            ignoreCase: true);
    }

    [Fact]
    public void AppReadsSigningKeyAsKeyVaultSecretsUserScopedToTheVault()
    {
        var vault = Artifacts.Snapshot.Single("Microsoft.KeyVault/vaults").Str("id")!;
        var assignment = Assert.Single(AppAssignments, a => a.IsRole(KeyVaultSecretsUser));
        Assert.Equal(vault, assignment.Scope, ignoreCase: true);
    }

    [Fact]
    public void AppIdentityHoldsNoOtherRoles()
    {
        var expected = new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor, MonitoringMetricsPublisher, KeyVaultSecretsUser };
        var actual = AppAssignments.Select(a => a.RoleDefinitionId.Split('/')[^1].ToLowerInvariant()).Order().ToArray();
        Assert.Equal(expected.Order().ToArray(), actual);
    }

    [Fact]
    public void DeployerMayWriteSecretsInTheVaultOnly()
    {
        var vault = Artifacts.Snapshot.Single("Microsoft.KeyVault/vaults").Str("id")!;
        var officers = Artifacts.Snapshot.RoleAssignments.Where(a => a.IsRole(KeyVaultSecretsOfficer)).ToList();
        var officer = Assert.Single(officers);
        Assert.Equal(vault, officer.Scope, ignoreCase: true);
        Assert.False(officer.IsForIdentity(AppIdentityId), "The app itself must not be able to write secrets.");
    }

    [Fact]
    public void DeployerMayReadAndWriteTablesOnTheStorageAccountOnlyToCreateTheFirstAdmin()
    {
        var storage = Artifacts.Snapshot.Single("Microsoft.Storage/storageAccounts").Str("id")!;
        var officer = Artifacts.Snapshot.RoleAssignments.Single(a => a.IsRole(KeyVaultSecretsOfficer));
        var deployer = Assert.Single(Artifacts.Snapshot.RoleAssignments, a => a.IsRole(StorageTableDataContributor) && !a.IsForIdentity(AppIdentityId));

        Assert.Equal(storage, deployer.Scope, ignoreCase: true);
        Assert.Equal(officer.PrincipalId, deployer.PrincipalId);
        Assert.Equal(
            $"/subscriptions/{Artifacts.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{StorageTableDataContributor}",
            deployer.RoleDefinitionId,
            ignoreCase: true);
    }

    [Fact]
    public void DeployerTableRoleAssignmentIsHandedOutToBeDeletedAfterwards()
    {
        // Not evaluable before deployment (deployer()): the ID of the storage-scoped assignment.
        var id = Artifacts.Snapshot.Outputs.Str("AZURE_DEPLOYER_TABLE_ROLE_ASSIGNMENT_ID") ?? string.Empty;
        Assert.Contains("extensionResourceId(resourceId('Microsoft.Storage/storageAccounts', ", id, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Authorization/roleAssignments'", id, StringComparison.Ordinal);
        Assert.Contains(StorageTableDataContributor, id, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DeployerTableRoleCanBeWithheld()
    {
        var withheld = Artifacts.SnapshotWith("DEPLOYER_TABLE_ROLE", "false");
        Assert.Single(withheld.RoleAssignments, a => a.IsRole(StorageTableDataContributor));
        Assert.Equal(6, withheld.RoleAssignments.Count());
        Assert.Equal(string.Empty, withheld.Outputs.Str("AZURE_DEPLOYER_TABLE_ROLE_ASSIGNMENT_ID"));
    }

    [Fact]
    public void EveryRoleAssignmentIsScopedToOneResourceNotTheGroupOrSubscription()
    {
        var group = $"/subscriptions/{Artifacts.SubscriptionId}/resourceGroups/{Artifacts.ResourceGroup}";
        var assignments = Artifacts.Snapshot.RoleAssignments.ToList();
        Assert.Equal(7, assignments.Count);
        foreach (var assignment in assignments)
        {
            Assert.True(
                assignment.Scope.StartsWith(group + "/providers/", StringComparison.OrdinalIgnoreCase),
                $"Role assignment {assignment} must be scoped to a single resource in the resource group.");
        }
    }

    [Fact]
    public void RoleAssignmentNamesAreGuidsOfScopePrincipalAndRole()
    {
        var assignments = Artifacts.CompiledTemplate.Objects()
            .Where(o => o.Str("type") == "Microsoft.Authorization/roleAssignments")
            .ToList();
        Assert.Equal(7, assignments.Count);
        foreach (var assignment in assignments)
        {
            var name = assignment.Str("name") ?? string.Empty;
            Assert.StartsWith("[guid(", name, StringComparison.Ordinal);
            var arguments = TopLevelArguments(name["[guid(".Length..^2]);
            Assert.True(arguments.Count == 3, $"Role assignment name {name} must be guid(scope, principal, role).");
            Assert.StartsWith("resourceId('", arguments[0], StringComparison.Ordinal);
            Assert.True(
                arguments[1].Contains("userAssignedIdentities", StringComparison.Ordinal) || arguments[1].Contains("PrincipalId", StringComparison.Ordinal),
                $"The second argument of {name} must name the principal.");
            Assert.Equal(assignment.Str("properties.roleDefinitionId")?.Trim('[', ']'), arguments[2]);
        }
    }

    private static List<string> TopLevelArguments(string text)
    {
        var arguments = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'': quoted = !quoted; break;
                case '(' when !quoted: depth++; break;
                case ')' when !quoted: depth--; break;
                case ',' when !quoted && depth == 0:
                    arguments.Add(text[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }

        arguments.Add(text[start..].Trim());
        return arguments;
    }

    [Fact]
    public void EveryRoleAssignmentIsDeclaredInRoleAssignmentsBicepWithItsRoleNamed()
    {
        const string declaration = "'Microsoft.Authorization/roleAssignments@";
        foreach (var file in Repo.BicepSources.Where(f => f != "modules/role-assignments.bicep"))
        {
            Assert.DoesNotContain(declaration, File.ReadAllText(Repo.InInfra(file)), StringComparison.Ordinal);
        }

        var roleNames = new[]
        {
            "Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor",
            "Monitoring Metrics Publisher", "Key Vault Secrets User", "Key Vault Secrets Officer",
        };
        var lines = File.ReadAllLines(Repo.InInfra("modules/role-assignments.bicep"));
        var declared = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains(declaration, StringComparison.Ordinal))
            {
                continue;
            }

            declared++;
            var comment = lines.Take(i).Reverse().TakeWhile(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal));
            Assert.True(
                comment.Any(c => roleNames.Any(r => c.Contains(r, StringComparison.Ordinal))),
                $"Role assignment on line {i + 1} of role-assignments.bicep needs a comment naming its role.");
        }

        Assert.Equal(7, declared);
    }

    [Fact]
    public void HookIsToldWhichPrincipalHoldsTheVaultRole()
    {
        var officer = Artifacts.Snapshot.RoleAssignments.Single(a => a.IsRole(KeyVaultSecretsOfficer));
        Assert.Equal(officer.PrincipalId, Artifacts.Snapshot.Outputs.Str("AZURE_DEPLOYER_PRINCIPAL_ID"));
        Assert.Equal("persistent", Artifacts.Snapshot.Outputs.Str("AZURE_DEPLOYER_VAULT_ACCESS"));
    }

    [Fact]
    public void BootstrapModeGrantsTheRoleAndHandsItsAssignmentToTheHookToDelete()
    {
        var bootstrap = Artifacts.SnapshotWith("DEPLOYER_VAULT_ACCESS", "bootstrap");
        var officer = Assert.Single(bootstrap.RoleAssignments, a => a.IsRole(KeyVaultSecretsOfficer));
        Assert.Equal("bootstrap", bootstrap.Outputs.Str("AZURE_DEPLOYER_VAULT_ACCESS"));
        Assert.EndsWith("/Microsoft.KeyVault/vaults/" + Artifacts.Snapshot.Outputs.Str("AZURE_KEY_VAULT_NAME"), officer.Scope, StringComparison.Ordinal);

        // Not evaluable before deployment (deployer()): the ID of the vault-scoped assignment.
        var id = bootstrap.Outputs.Str("AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID") ?? string.Empty;
        Assert.Contains("extensionResourceId(resourceId('Microsoft.KeyVault/vaults', ", id, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Authorization/roleAssignments'", id, StringComparison.Ordinal);
        Assert.Contains(KeyVaultSecretsOfficer, id, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DeployerVaultRoleCanBeWithheld()
    {
        var none = Artifacts.SnapshotWith("DEPLOYER_VAULT_ACCESS", "none");
        Assert.DoesNotContain(none.RoleAssignments, a => a.IsRole(KeyVaultSecretsOfficer));
        Assert.Equal(6, none.RoleAssignments.Count());
        Assert.Equal(string.Empty, none.Outputs.Str("AZURE_DEPLOYER_PRINCIPAL_ID"));
        Assert.Equal(string.Empty, none.Outputs.Str("AZURE_DEPLOYER_VAULT_ROLE_ASSIGNMENT_ID"));
    }
}
