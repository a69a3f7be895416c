import type { ConstraintRule, ProviderSource } from '../model';
import { attr, oneOf, presence, validator } from './_helpers';

const DIAGNOSTIC: ProviderSource = {
  provider: 'azurerm',
  file: 'internal/services/monitor/monitor_diagnostic_setting_resource.go',
  func: 'resourceMonitorDiagnosticSetting',
};
const DIAGNOSTIC_NAME: ProviderSource = {
  provider: 'azurerm',
  file: 'internal/services/monitor/validate/monitor_diagnostic_setting.go',
  func: 'MonitorDiagnosticSettingName',
};
const DIAGNOSTIC_LOGS: ProviderSource = {
  provider: 'azurerm',
  file: 'internal/services/monitor/monitor_diagnostic_setting_resource.go',
  func: 'expandMonitorDiagnosticsSettingsEnabledLogs',
};
const T = 'azurerm_monitor_diagnostic_setting';

/** azurerm_monitor_diagnostic_setting (the audit-log settings of Key Vault, PostgreSQL and storage). */
export const MONITOR_RULES: readonly ConstraintRule[] = [
  attr(
    T,
    'name',
    validator('1-260 characters, none of < > * % & : \\ ? + /', (v) =>
      v.length < 1 || v.length > 260 || /[<>*%&:\\?+/]/.test(v) ? 'refused' : undefined,
    ),
    DIAGNOSTIC_NAME,
  ),
  attr(T, 'log_analytics_destination_type', oneOf(['Dedicated', 'AzureDiagnostics']), DIAGNOSTIC),
  presence(
    'atLeastOneOf',
    T,
    '',
    ['eventhub_authorization_rule_id', 'log_analytics_workspace_id', 'storage_account_id', 'partner_solution_id'],
    DIAGNOSTIC,
  ),
  presence('atLeastOneOf', T, '', ['enabled_log', 'enabled_metric'], DIAGNOSTIC),
  // Not in the schema: the expand function fails at apply unless exactly one of the two is set.
  presence('exactlyOneOf', T, 'enabled_log', ['category', 'category_group'], DIAGNOSTIC_LOGS),
];
