BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $setCommand = 'InboxPS.Commands.SetInboxAccessTypeCommand'
}

Describe 'Set-InboxAccessType' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'creates an app-only organization on Exchange Online, outputs it, and warns that EWS there is being retired' {
        $org = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningVariable warnings -WarningAction SilentlyContinue
        $org.GetType().FullName | Should -BeExactly 'InboxPS.Core.Organizations.OrganizationProfile'
        "$($org.AccessType) $($org.Environment) $($org.EwsUrl)" | Should -BeExactly 'OAuthAppOnly Global https://outlook.office365.com/EWS/Exchange.asmx'
        $warnings | Should -HaveCount 1
        "$warnings" | Should -BeLike '*1 April 2027*'
        $listed = Get-InboxOrganization -Name contoso
        "$($listed.Name) $($listed.AccessType)" | Should -BeExactly 'contoso OAuthAppOnly'
    }

    It 'warns that OAuthImpersonation needs the role Exchange Online removed, and names OAuthAppOnly' {
        $null = Set-InboxAccessType contoso OAuthImpersonation -WarningVariable warnings -WarningAction SilentlyContinue
        $warning = "$(@($warnings | Where-Object { "$_" -like '*ApplicationImpersonation*' })[0])"
        $warning | Should -BeLike '*February 2025*'
        $warning | Should -BeLike '*OAuthAppOnly*'
    }

    It 'refuses BasicImpersonation for Exchange Online with BasicAuthNotSupported and says why' {
        $record = { Set-InboxAccessType -Organization contoso -AccessType BasicImpersonation -EwsUrl https://outlook.office365.com/EWS/Exchange.asmx } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "BasicAuthNotSupported,$setCommand"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -BeLike '*October 2022*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*OAuthAppOnly*'
        @(Get-InboxOrganization) | Should -HaveCount 0
    }

    It 'needs -EwsUrl for Exchange Server, accepts a bare server address, and gives on-premises no warning' {
        { Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation } | Should -Throw -PassThru |
            ForEach-Object FullyQualifiedErrorId | Should -BeExactly "EwsUrlRequired,$setCommand"
        $org = Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation -EwsUrl https://mail.contoso.com -WarningVariable warnings
        "$($org.EwsUrl)" | Should -BeExactly 'https://mail.contoso.com/EWS/Exchange.asmx'
        $warnings | Should -HaveCount 0
    }

    It 'takes the cloud from -Environment and refuses an -EwsUrl of another cloud' {
        $gov = Set-InboxAccessType -Organization gov -AccessType OAuthAppOnly -Environment USGovGCCHigh -WarningAction SilentlyContinue
        "$($gov.EwsUrl)" | Should -BeExactly 'https://outlook.office365.us/EWS/Exchange.asmx'
        { Set-InboxAccessType -Organization cn -AccessType OAuthAppOnly -Environment China -EwsUrl https://outlook.office365.com/EWS/Exchange.asmx } |
            Should -Throw -PassThru | ForEach-Object FullyQualifiedErrorId | Should -BeExactly "EnvironmentMismatch,$setCommand"
    }

    It 'changes nothing with -WhatIf' {
        $out = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WhatIf -WarningAction SilentlyContinue
        @($out) | Should -HaveCount 0
        @(Get-InboxOrganization) | Should -HaveCount 0
    }

    It 'updates the only organization when -Organization is left out, and asks which one when there are several' {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningAction SilentlyContinue
        $updated = Set-InboxAccessType -AccessType BasicImpersonation -EwsUrl https://mail.contoso.com/EWS/Exchange.asmx
        "$($updated.Name) $($updated.AccessType)" | Should -BeExactly 'contoso BasicImpersonation'
        $null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -WarningAction SilentlyContinue
        $record = { Set-InboxAccessType -AccessType OAuthAppOnly } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly "OrganizationRequired,$setCommand"
        $record.Exception.Message | Should -BeLike '*contoso, fabrikam*'
    }

    It 'tab-completes -Organization from the store' {
        $null = Set-InboxAccessType -Organization 'Contoso Ltd' -AccessType OAuthAppOnly -WarningAction SilentlyContinue
        $line = 'Remove-InboxOrganization -Organization cont'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain "'Contoso Ltd'"
    }
}

Describe 'Remove-InboxOrganization' {
    BeforeEach { $null = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'keeps the organization with -WhatIf and removes it with -Confirm:$false, also from the pipeline' {
        foreach ($name in 'contoso', 'fabrikam', 'litware') { $null = Set-InboxAccessType -Organization $name -AccessType OAuthAppOnly -WarningAction SilentlyContinue }
        Remove-InboxOrganization -Organization contoso -WhatIf
        @(Get-InboxOrganization) | Should -HaveCount 3
        Remove-InboxOrganization -Organization contoso -Confirm:$false
        Get-InboxOrganization -Name fabrikam | Remove-InboxOrganization -Confirm:$false
        (Get-InboxOrganization).Name | Should -Be @('litware')
    }

    It 'declares ConfirmImpact High, so it asks before removing' {
        $attribute = (Get-Command Remove-InboxOrganization).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $attribute.SupportsShouldProcess | Should -BeTrue
    }

    It 'reports an unknown organization with OrganizationNotFound' {
        # Non-terminating (issue 19): -ErrorAction Stop makes it throw.
        $record = { Remove-InboxOrganization -Organization nosuch -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'OrganizationNotFound,InboxPS.Commands.RemoveInboxOrganizationCommand'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
