// Connect and Discover: the Actionstep connection (sign-in happens at Actionstep, in a window the platform opens;
// the wizard never sees a secret or a token), then the plan: what Actionstep holds, the options as sentences, the
// licence's custom table budget and every warning, in MessageBars.
import * as React from 'react';
import { Dropdown, MessageBarType, Stack, Text, type IDropdownOption } from '@fluentui/react';
import type { LicenseTier, MigrationOptions } from '@astep/orchestrator/options';
import { formatCount } from '@astep/orchestrator/vocabulary/format';
import { licenceName, optionSentence } from '@astep/orchestrator/vocabulary/options';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';
import { Alert } from './Alert';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

export const ConnectStep: React.FC<StepProps> = ({ controller, view, t }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <Text>{t('Connect_Intro')}</Text>
    {!view.runId && <Alert type={MessageBarType.info}>{t('Error_NoRunId')}</Alert>}
    <Stack horizontal tokens={{ childrenGap: 8 }}>
      <StepButton view={view} text={view.connection === 'Connected' ? t('Connect_Again') : t('Connect_Button')} onClick={() => void controller.connect()} disabled={!view.runId}
        primary={view.connection !== 'Connected'} />
      {view.connection === 'Connected' && <StepButton view={view} text={t('Next')} onClick={() => controller.show('discover')} />}
    </Stack>
  </Stack>
);

const TIERS: LicenseTier[] = ['SalesProfessional', 'SalesEnterprise', 'SalesPremium'];

/** Option values as the plan holds them (strings, numbers, objects); the key of a drop-down entry. */
function optionKey(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export const DiscoverStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const plan = view.plan;
  const [tier, setTier] = React.useState<LicenseTier>((view.state.licenseTier as LicenseTier) ?? 'SalesEnterprise');
  const [overrides, setOverrides] = React.useState<Partial<MigrationOptions>>(view.state.options as Partial<MigrationOptions>);
  const tierOptions: IDropdownOption[] = TIERS.map((x) => ({ key: x, text: t(`Tier_${x}`, licenceName(x)) }));
  // Options changed here but not yet in the plan: the main button reads the plan with them before it goes on,
  // so a change is never dropped silently.
  const changed = !!plan && (tier !== plan.destination.licenseTier
    || Object.entries(overrides).some(([k, v]) => v !== undefined && optionKey(v) !== optionKey((plan.options as unknown as Record<string, unknown>)[k])));
  const prepare = async (force: boolean) => {
    if (changed) await controller.discover(tier, overrides);
    await controller.prepare(force);
  };
  const c = plan?.source.counts ?? {};
  return (
    <Stack tokens={{ childrenGap: 10 }}>
      <Text>{t('Discover_Intro')}</Text>
      <Dropdown label={t('Tier_Label')} ariaLabel={t('Tier_Label')} selectedKey={tier} options={tierOptions} onChange={(_, o) => o && setTier(o.key as LicenseTier)} styles={{ root: { maxWidth: 420 } }} />
      {!plan && <StepButton view={view} text={t('Discover_Button')} onClick={() => void controller.discover(tier, overrides)} />}
      {plan && (
        <Stack tokens={{ childrenGap: 10 }} data-testid="plan">
          <Text data-testid="plan-counts">{t('Plan_Counts', formatCount(c.actions ?? 0), formatCount(c.participants ?? 0), formatCount(c.timeentries ?? 0), formatCount(c.actiondocuments ?? 0))}</Text>
          <Alert type={plan.tableBudget.fits ? MessageBarType.success : MessageBarType.severeWarning} testId="table-budget">
            {plan.tableBudget.fits ? t('Budget_Fits', plan.tableBudget.message) : t('Budget_Warning', plan.tableBudget.message)}
          </Alert>
          {plan.warnings.filter((w) => !w.startsWith('custom table budget')).map((w) => <Alert key={w} type={MessageBarType.warning} testId="plan-warning">{w}</Alert>)}
          <Text>{t('Plan_Estimates', formatCount(plan.estimates.actionstepCalls), formatCount(plan.estimates.dataverseRequests), formatCount(plan.estimates.dataverseRecords))}</Text>
          {plan.optionChoices.map((o) => {
            const name = String(o.name);
            const values = [o.chosen, ...o.alternatives.filter((a) => optionKey(a) !== optionKey(o.chosen))];
            const chosen = overrides[o.name] !== undefined ? optionKey(overrides[o.name]) : optionKey(o.chosen);
            return (
              <Stack key={name} tokens={{ childrenGap: 2 }}>
                <Dropdown label={o.title} ariaLabel={o.title} selectedKey={chosen} styles={{ root: { maxWidth: 560 } }}
                  options={values.map((v) => {
                    const label = optionSentence(name, v);
                    return { key: optionKey(v), text: optionKey(v) === optionKey(o.recommended) ? t('Option_Recommended', label) : label };
                  })}
                  onChange={(_, picked) => {
                    if (!picked) return;
                    const value = values.find((v) => optionKey(v) === picked.key);
                    setOverrides((x) => ({ ...x, [o.name]: value }));
                  }} />
                <Text variant="small" styles={{ root: { maxWidth: 760 } }}>{t('Option_Why', o.why)}</Text>
              </Stack>
            );
          })}
          <Text variant="small">{t('Prepare_TrustLedger')}</Text>
          {changed && <Alert type={MessageBarType.info} testId="options-changed">{t('Discover_Changed')}</Alert>}
          <Stack horizontal wrap tokens={{ childrenGap: 8 }}>
            <StepButton view={view} text={changed ? t('Prepare_Apply_Button') : t('Prepare_Button')} onClick={() => void prepare(false)} />
            <StepButton view={view} primary={false} text={changed ? t('Discover_Apply') : t('Discover_Again')} onClick={() => void controller.discover(tier, overrides)} />
            {!plan.tableBudget.fits && <StepButton view={view} primary={false} text={t('Prepare_Force')} onClick={() => void prepare(true)} />}
          </Stack>
          {view.extracted && <Alert type={MessageBarType.success} testId="extracted">{t('Extracted', formatCount(Object.values(view.extracted).reduce((a, b) => a + b, 0)))}</Alert>}
        </Stack>
      )}
    </Stack>
  );
};
