// Table-driven test cases of the provider's own validator tests, copied (input, whether upstream
// expects it to be valid) from hashicorp/terraform-provider-azurerm@v4.55.0: each group names the
// _test.go file and test function it comes from. They check the ported validators in
// src/validate/rules/names.ts against upstream's expectations rather than against our own reading.

/** One upstream test table. */
export interface UpstreamValidatorCases {
  /** Test file in the provider repository. */
  readonly file: string;
  /** Test function. */
  readonly test: string;
  /** Our port in rules/names.ts. */
  readonly validator: string;
  /** [input, valid] pairs. */
  readonly cases: readonly (readonly [string, boolean])[];
}

export const UPSTREAM_VALIDATOR_CASES: readonly UpstreamValidatorCases[] = [
  {
    file: 'internal/services/containerapps/validate/validate_test.go',
    test: 'TestValidateSecretNames',
    validator: 'secretName',
    cases: [
      ['', false],
      ['-', false],
      ['9', true],
      ['a-', false],
      ['a.', false],
      ['a--a', true],
      ['Cannothavecapitals', false],
      ['no.dots.allowed', false],
      ['a', true],
      ['valid', true],
      ['valid12345678901234567890123456789012345678901234butverylong', true],
    ],
  },
  {
    file: 'internal/services/containerapps/validate/validate_test.go',
    test: 'TestValidateManagedEnvironmentStorageName',
    validator: 'managedEnvironmentStorageName',
    cases: [
      ['a-a', true],
      ['valid', true],
    ],
  },
  {
    file: 'internal/services/containerapps/validate/validate_test.go',
    test: 'TestValidateManagedEnvironmentName',
    validator: 'managedEnvironmentName',
    cases: [
      ['a--a', true],
      ['Canhavecapitals', true],
      ['a-a', true],
      ['valid', true],
      ['MaxLengthjabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij', true],
    ],
  },
  {
    file: 'internal/services/containerapps/validate/validate_test.go',
    test: 'TestValidateContainerAppName',
    validator: 'containerAppName',
    cases: [
      ['a-a', true],
      ['val-1-id', true],
    ],
  },
  {
    file: 'internal/services/containerapps/validate/validate_test.go',
    test: 'TestValidateContainerAppContainerName',
    validator: 'containerAppContainerName',
    cases: [
      ['9', true],
      ['a', true],
      ['a--a', true],
      ['a-a', true],
      ['val-1-id', true],
      ['validbutverylong123456789012345678901234567890', true],
    ],
  },
  {
    file: 'internal/services/compute/validate/ssh_key_test.go',
    test: 'TestSSHKey',
    validator: 'sshKey',
    cases: [
      ['', false],
      [
        'ssh-dss AAAAB3NzaC1kc3MAAACBAJTdkgVSk8cgM6h0MrnH9yoihsQVZ9c6OQcFqS1FZ/5DD4Z/8qfJlKFhICwhSC' +
          'TX0dHqbZumG5KkFyrn2XznDf15idCHxxK4Vd51tyq5XaRyk89lFZCogIYPzocD+RdYVBwX7Y9ju+t7FqEhshd0q4tO' +
          '6MzENIE//Wx+QWeiZrWlAAAAFQCsaVnyLr+Q+akj4M/K7pYR+GwpJQAAAIBtcypWCzJrPUgxy33rRMbrnWlQDY3H81' +
          'iS4n7U5SDlUE7V0VaH8IxoQdSiGe6FJCUbu9XEvSQ+v6raBHPM6ca3t9NyPgBDdIRlCcgxrIQzbhTzgi85HdfDyED3' +
          'wqDgMMdIYZ1AOeRQ3u3tLlGlOXrKCEIPH5x/tvysTn0+2mYKmwAAAIAtOGBS6M+IrrH+kMIOyLFGiL9b1s4rv5Vv6i' +
          'zULYb2DU0zoBnlRkmq/cLkFSgHeE5MqzOosybhwt5PRzMfoFtyUBpMgChdfuPnFwZbeTjitWRVS7tB/FDknbBXsk8m' +
          'mnUEmodbTYVYtVSxbBgfKtc6pgomY1gxsYpByxyIA3A9gQ==',
        false,
      ],
      [
        'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA95ywHY2HQsFe59iI' +
          'hJCNmPjQdGbAJ7/5ZcxfOdHs98gG6UhCj5KwjpSICNGTZ+ZE+W4ExRPWzAGfFzjibUzsE=',
        false,
      ],
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwlR9xtbM69hWLJbB5nHi0a65TuRvtaldgTJQ4ClL1W', true],
      ['ssh-rsa', false],
      ['ssh-rsa ThisIsNot a REAL key', false],
      [
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDbzSM5KBFKmNilWjlw2YenzARxww1H+BMDMBVyzKYsNwEQc6Tj3Z' +
          'B1Jun0l6Xkaw5BxKdwKFdhPlQh3nqpbm7xmSY7MuRZLPU+LRM3wI9RwcreDb3BXWacy41YIRGhUzpAzXmWdVyub/k7' +
          '0AJAngpVLLBmLcjuavjplR/fkTjslw==',
        false,
      ],
      [
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0pA4vzGH+cmR+blZnoxO5HorOP1ubD4SxuOiW2DSNTSptlj+mPm' +
          'FIL6sZeYMvSqAjXK368qL3DKHLpp2+1ws1XnYn/Zx/O4WBQAY7VbtzwFc7w7uirQaK6lVqXn8q4CnO0+5IYHgKLrNM' +
          'EipwLKo+R3E3e1KrH5Xbyhj5yJzrMe3lWOAPzS27DJvjpN5SGWo65X6qFJRh3q95xOQhSOaEqZ/A2ZtfOuagq3FmAS' +
          'zoo/pbq7ianvnxzAYsb2Hg/9uAvypj4Beli6BP7419aP14XS0yyiW4XTKY/9XZiR/3VIKBN/stGN5NFLw82/j12E1G' +
          'znbDG9PL7PQhijP7QgJh',
        true,
      ],
      [
        'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQDFP6r3wb/79MqRYI4dpgMwmjlrDDrk3A/pehysk1wzQn3lSEUtrN' +
          'eQsHI6o/8au8Un1ndaZXZl/yWQQDDW4kqGw5ty8xPUZ+DB1ZVWkFOVNAgARl0bMNCgm2kB85l66g0zHWDCKLt+xi8x' +
          'QiL7tGvdq3SWpogY3pWF2AABXoNDloHEN0mzzjJ09hdAHbygaDDr/9k3uyGKH3x0qo7fx5g8GqTtM3YWRxqUqdtkjs' +
          'Nomq94c/PMybCGR6qRoGI0Cdr/OP6/kszDHwf87B9hpTDMNa6x6FVJSDHc9v0CWePJZpjEOAFN3GCyPFFQTA9jvy02' +
          '6jt43wzyeH0kPe/T0ZZdr9YzQETN1b/oAKWKoayIoiLyJtFqUKcFFJSPcMz9ISgCD5Q/jRxQwMuMHpQ8TslxZ38l+4' +
          '1/0V1LWwKj0IkyJVFVWzu4zhgAZXr5y9Qbsis9sStRc+LU9/FQJ/VzNQfL83l86rH/u3NiPFfqisXILSybtMCD0OoR' +
          'RHfQvWFsSwgt9JCIqLpmrJXRYs679aHzTHDgitlovJyprwqrbjg5N3XNSB5FohAUJUnVMF8z+qzvb4pPhly6mj6tiS' +
          'JGYbXPngN6Iv8t3mRko3PbYLrWuxMb345BxcD+j9XteUgm1j/10qrSvqq+1R+/FAFPYwLXCflZgKst2g8/rEiVQz+a' +
          '3w==',
        true,
      ],
    ],
  },
  {
    file: 'internal/services/compute/validate/virtual_machine_name_test.go',
    test: 'TestVirtualMachineName',
    validator: 'virtualMachineName',
    cases: [
      ['', false],
      ['hello', true],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyza', true],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab', true],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabc', false],
      ['hello_world7.goodbye-world4', true],
      ['_hello', false],
      ['hello.', false],
      ['hello-', false],
      ['hello_', true],
      ['hello!', false],
      ['0abc', true],
      ['12345', false],
      ['Test', true],
      ['TEST', true],
    ],
  },
  {
    file: 'internal/services/compute/validate/linux_computer_name_test.go',
    test: 'TestLinuxComputerNameFull',
    validator: 'linuxComputerNameFull',
    cases: [
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk', true],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkj', true],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkjl', false],
    ],
  },
  {
    file: 'internal/services/compute/validate/linux_admin_username_test.go',
    test: 'TestLinuxAdminUsername',
    validator: 'linuxAdminUsername',
    cases: [
      ['', false],
      ['juanjo', true],
      ['JuanJo', true],
      ['administrator', false],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkjl', false],
      ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkj', true],
    ],
  },
  {
    file: 'internal/services/storage/validate/storage_share_test.go',
    test: 'TestValidateShareName',
    validator: 'storageShareName',
    cases: [
      ['valid-name', true],
      ['valid02-name', true],
      ['InvalidName1', false],
      ['-invalidname1', false],
      ['invalid_name', false],
      ['invalid!', false],
      ['double-hyphen--invalid', false],
      ['ww', false],
      ['w', false],
    ],
  },
  {
    file: 'internal/services/storage/validate/storage_account_name_test.go',
    test: 'TestStorageAccountName',
    validator: 'storageAccountName',
    cases: [
      ['ab', false],
      ['ABC', false],
      ['abc', true],
      ['123456789012345678901234', true],
      ['1234567890123456789012345', false],
      ['abc12345', true],
    ],
  },
  {
    file: 'internal/services/storage/validate/storage_account_ip_rule_test.go',
    test: 'TestStorageAccountIpRule',
    validator: 'storageAccountIpRule',
    cases: [
      ['', false],
      ['0.0.0.0', true],
      ['23.45.0.1/30', true],
      ['23.45.0.1/32', false],
      ['10.0.0.0/29', false],
      ['172.16.0.0/29', false],
      ['192.168.0.0/29', false],
    ],
  },
  {
    file: 'internal/services/storage/validate/storage_test.go',
    test: 'TestValidateStorageShareDirectoryName',
    validator: 'storageShareDirectoryName',
    cases: [
      ['', false],
      ['abc123', true],
      ['123abc', true],
      ['abc-123', true],
      ['123-abc', true],
      ['-123-abc', true],
      ['abc-123-', true],
      ['abc--123', true],
      ['hello/world', true],
      ['hello/-world', true],
      ['hello-/world', true],
      ['abc-123/world-', true],
      ['123-abc/hello-world', true],
      ['abc-123/hello--world', true],
      ['abc-123/hello/world', true],
      ['abc-123/hello/world-', true],
      ['hello/', false],
      ['abc-test-123/hjg-345-test', true],
      ['Abc123', true],
      ['abc123A', true],
      ['abC123', true],
    ],
  },
  {
    file: 'internal/services/postgres/validate/flexible_server_name_test.go',
    test: 'TestFlexibleServerName',
    validator: 'flexibleServerName',
    cases: [
      ['Flexible', false],
      ['flexible_test', false],
      ['flexible_Test', false],
      ['a', true],
      ['', false],
      ['test_', false],
      ['_test', false],
      ['flexible-6-test', true],
      ['flex6ible6-6-te6st', true],
    ],
  },
  {
    file: 'internal/services/postgres/validate/flexible_server_sku_name_test.go',
    test: 'TestFlexibleServerSkuName',
    validator: 'flexibleServerSkuName',
    cases: [
      ['GP_Standard_E64s_v3', false],
      ['GP_Standard_D64s_v3', true],
      ['GP_Standard_D16ds_v4', true],
      ['Standard', false],
      ['', false],
      ['B_Standard_E32s_v3', false],
      ['B_Standard_E30s_v3', false],
      ['MO_Standard_E16s', false],
      ['MO_Standard_E2s_v3', true],
      ['MO_Standard_E64ds_v3', false],
      ['B_Standard_B1ms', true],
      ['B_Standard_B1', false],
      ['MO_Standard_D2s_v3', false],
      ['MO_Standard_E16ds_v4', true],
      ['B_Standard_B20ms', true],
      ['GP_Standard_D16ds_v5', true],
      ['GP_Standard_D16ads_v5', true],
      ['MO_Standard_E16ds_v5', true],
      ['MO_Standard_E16ads_v5', true],
      ['MO_Standard_E96ds_v5', true],
    ],
  },
  {
    file: 'internal/services/postgres/validate/flexible_server_database_name_test.go',
    test: 'TestFlexibleServerDatabaseName',
    validator: 'flexibleServerDatabaseName',
    cases: [
      ['', false],
      ['flexdb%', false],
      ['1flexdb', false],
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
      ['a', true],
      ['flexdb_', true],
      ['_flexdb', true],
      ['flexdb-1-test', true],
    ],
  },
  {
    file: 'internal/services/postgres/validate/admin_usernames_test.go',
    test: 'TestValidateAdminUsernames',
    validator: 'flexibleServerAdminLogin',
    cases: [
      ['guest', false],
      ['blah', true],
      ['pg_blah', false],
      ['azure_pg_admin', false],
      ['Azure_superuser', false],
    ],
  },
  {
    file: 'internal/services/keyvault/validate/vault_name_test.go',
    test: 'TestValidateVaultName',
    validator: 'vaultName',
    cases: [
      ['', false],
      ['hi', false],
      ['hello', true],
      ['hello-world', true],
      ['hello-world-21', true],
      ['hello_world_21', false],
      ['Hello-World', true],
      ['20202020', true],
      ['ABC123!@\u00a3', false],
      ['abcdefghijklmnopqrstuvwxyz', false],
    ],
  },
  {
    file: 'internal/services/keyvault/validate/nested_item_name_test.go',
    test: 'TestNestedItemName',
    validator: 'nestedItemName',
    cases: [
      ['', false],
      ['hello', true],
      ['hello-world', true],
      ['hello-world-21', true],
      ['hello_world_21', false],
      ['Hello-World', true],
      ['20202020', true],
      ['ABC123!@\u00a3', false],
    ],
  },
  {
    file: 'internal/services/network/validate/public_ip_test.go',
    test: 'TestPublicIpDomainNameLabel',
    validator: 'publicIpDomainNameLabel',
    cases: [
      ['tEsting123', false],
      ['testing123!', false],
      ['testing123-', false],
      ['k2345678-1-2345678-2-2345678-3-2345678-4-2345678-5-2345678-6-23', true],
      ['k2345678-1-2345678-2-2345678-3-2345678-4-2345678-5-2345678-6-234', false],
    ],
  },
  {
    file: 'internal/services/privatedns/validate/lower_cased_string_test.go',
    test: 'TestLowerCasedStrings',
    validator: 'lowerCasedString',
    cases: [
      ['', false],
      [' ', false],
      ['Hello', false],
      ['HELLO', false],
      ['hello', true],
      ['hello-there.com', true],
      ['hello there.com', false],
      ['Hello There.com', false],
      ['Hello-There.com', false],
      ['HELLO-THERE.COM', false],
    ],
  },
  {
    file: 'internal/services/loganalytics/validate/log_analytics_workspace_name_test.go',
    test: 'TestAccLogAnalyticsWorkspaceName_validation',
    validator: 'logAnalyticsWorkspaceName',
    cases: [
      ['abc', false],
      ['Ab-c', true],
      ['-abc', false],
      ['abc-', false],
    ],
  },
  {
    file: 'helpers/validate/network_test.go',
    test: 'TestCIDR',
    validator: 'cidr',
    cases: [
      ['', false],
      ['0.0.0.0', true],
      ['127.0.0.1/8', true],
      ['127.0.0.1/33', false],
      ['127.0.0.1/-1', false],
    ],
  },
  {
    file: 'helpers/validate/network_test.go',
    test: 'TestIPv4Address',
    validator: 'ipv4Address',
    cases: [
      ['', false],
      ['0.0.0.0', true],
      ['1.2.3.no', false],
      ['text', false],
      ['1.2.3.4', true],
      ['12.34.43.21', true],
      ['100.123.199.0', true],
      ['255.255.255.255', true],
    ],
  },
];
