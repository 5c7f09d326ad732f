BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $setCommand = 'InboxPS.Commands.SetInboxAccessTypeCommand'
}

Describe 'Set-InboxAccessType' {
    It 'creates an app-only organization on Exchange Online, outputs it, and warns that EWS there is being retired' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$org = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningVariable w -WarningAction SilentlyContinue
"type=$($org.GetType().FullName)"
"access=$($org.AccessType) env=$($org.Environment) url=$($org.EwsUrl)"
"warnings=$($w.Count)"
"retire=$($w -match '1 April 2027' -as [bool])"
$listed = Get-InboxOrganization -Name contoso
"listed=$($listed.Name) $($listed.AccessType)"
'@
        $run.Output | Should -Contain 'type=InboxPS.Core.Organizations.OrganizationProfile'
        $run.Output | Should -Contain 'access=OAuthAppOnly env=Global url=https://outlook.office365.com/EWS/Exchange.asmx'
        $run.Output | Should -Contain 'warnings=1'
        $run.Output | Should -Contain 'retire=True'
        $run.Output | Should -Contain 'listed=contoso OAuthAppOnly'
    }

    It 'warns that OAuthImpersonation needs the role Exchange Online removed, and names OAuthAppOnly' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$null = Set-InboxAccessType contoso OAuthImpersonation -WarningVariable w -WarningAction SilentlyContinue
($w | Where-Object { $_ -like '*ApplicationImpersonation*' }) -join '|'
'@
        $line = $run.Output | Select-Object -First 1
        $line | Should -BeLike '*February 2025*'
        $line | Should -BeLike '*OAuthAppOnly*'
    }

    It 'refuses BasicImpersonation for Exchange Online with BasicAuthNotSupported and says why' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
try { Set-InboxAccessType -Organization contoso -AccessType BasicImpersonation -EwsUrl https://outlook.office365.com/EWS/Exchange.asmx }
catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)"; "msg=$($_.Exception.Message)"; "fix=$($_.ErrorDetails.RecommendedAction)" }
"count=$(@(Get-InboxOrganization).Count)"
'@
        $run.Output | Should -Contain "id=BasicAuthNotSupported,$setCommand"
        $run.Output | Should -Contain 'category=InvalidArgument'
        ($run.Output | Where-Object { $_ -like 'msg=*' }) | Should -BeLike '*October 2022*'
        ($run.Output | Where-Object { $_ -like 'fix=*' }) | Should -BeLike '*OAuthAppOnly*'
        $run.Output | Should -Contain 'count=0'
    }

    It 'needs -EwsUrl for Exchange Server, accepts a bare server address, and gives on-premises no warning' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
try { Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation } catch { "id=$($_.FullyQualifiedErrorId)" }
$org = Set-InboxAccessType -Organization onprem -AccessType BasicImpersonation -EwsUrl https://mail.contoso.com -WarningVariable w
"url=$($org.EwsUrl) warnings=$($w.Count)"
'@
        $run.Output | Should -Contain "id=EwsUrlRequired,$setCommand"
        $run.Output | Should -Contain 'url=https://mail.contoso.com/EWS/Exchange.asmx warnings=0'
    }

    It 'takes the cloud from -Environment and refuses an -EwsUrl of another cloud' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$gov = Set-InboxAccessType -Organization gov -AccessType OAuthAppOnly -Environment USGovGCCHigh -WarningAction SilentlyContinue
"url=$($gov.EwsUrl)"
try { Set-InboxAccessType -Organization cn -AccessType OAuthAppOnly -Environment China -EwsUrl https://outlook.office365.com/EWS/Exchange.asmx }
catch { "id=$($_.FullyQualifiedErrorId)" }
'@
        $run.Output | Should -Contain 'url=https://outlook.office365.us/EWS/Exchange.asmx'
        $run.Output | Should -Contain "id=EnvironmentMismatch,$setCommand"
    }

    It 'changes nothing with -WhatIf' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$out = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WhatIf -WarningAction SilentlyContinue
"output=$(@($out).Count) stored=$(@(Get-InboxOrganization).Count)"
'@
        $run.Output | Should -Contain 'output=0 stored=0'
    }

    It 'updates the only organization when -Organization is left out, and asks which one when there are several' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningAction SilentlyContinue
$updated = Set-InboxAccessType -AccessType BasicImpersonation -EwsUrl https://mail.contoso.com/EWS/Exchange.asmx
"updated=$($updated.Name) $($updated.AccessType)"
$null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -WarningAction SilentlyContinue
try { Set-InboxAccessType -AccessType OAuthAppOnly } catch { "id=$($_.FullyQualifiedErrorId)"; "msg=$($_.Exception.Message)" }
'@
        $run.Output | Should -Contain 'updated=contoso BasicImpersonation'
        $run.Output | Should -Contain "id=OrganizationRequired,$setCommand"
        ($run.Output | Where-Object { $_ -like 'msg=*' }) | Should -BeLike '*contoso, fabrikam*'
    }

    It 'tab-completes -Organization from the store' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
$null = Set-InboxAccessType -Organization 'Contoso Ltd' -AccessType OAuthAppOnly -WarningAction SilentlyContinue
$line = 'Remove-InboxOrganization -Organization cont'
(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
'@
        $run.Output | Should -Contain "'Contoso Ltd'"
    }
}

Describe 'Remove-InboxOrganization' {
    It 'keeps the organization with -WhatIf and removes it with -Confirm:$false, also from the pipeline' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
foreach ($name in 'contoso', 'fabrikam', 'litware') { $null = Set-InboxAccessType -Organization $name -AccessType OAuthAppOnly -WarningAction SilentlyContinue }
Remove-InboxOrganization -Organization contoso -WhatIf
"after-whatif=$(@(Get-InboxOrganization).Count)"
Remove-InboxOrganization -Organization contoso -Confirm:$false
Get-InboxOrganization -Name fabrikam | Remove-InboxOrganization -Confirm:$false
"left=$((Get-InboxOrganization).Name -join ',')"
'@
        $run.Output | Should -Contain 'after-whatif=3'
        $run.Output | Should -Contain 'left=litware'
    }

    It 'declares ConfirmImpact High, so it asks before removing' {
        $run = Invoke-FreshPwsh -Script @'
$attribute = (Get-Command Remove-InboxOrganization).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
"impact=$($attribute.ConfirmImpact) whatif=$($attribute.SupportsShouldProcess)"
'@
        $run.Output | Should -Contain 'impact=High whatif=True'
    }

    It 'reports an unknown organization with OrganizationNotFound' {
        $run = Invoke-FreshPwsh -Environment @{ INBOXPS_HOME = (New-TestStoreHome) } -Script @'
try { Remove-InboxOrganization -Organization nosuch -Confirm:$false } catch { "id=$($_.FullyQualifiedErrorId)"; "category=$($_.CategoryInfo.Category)" }
'@
        $run.Output | Should -Contain 'id=OrganizationNotFound,InboxPS.Commands.RemoveInboxOrganizationCommand'
        $run.Output | Should -Contain 'category=ObjectNotFound'
    }
}
