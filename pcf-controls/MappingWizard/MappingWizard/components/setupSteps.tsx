// Connect and Discover: the Actionstep connection (sign-in happens at Actionstep, in a window the platform opens;
// the wizard never sees a secret or a token), then the plan with its options and the table budget.
import * as React from 'react';
import { Dropdown, Stack, Text, type IDropdownOption } from '@fluentui/react';
import type { LicenseTier, MigrationOptions } from '@astep/orchestrator/options';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

export const ConnectStep: React.FC<StepProps> = ({ controller, view, t }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <Text>{t('Connect_Intro')}</Text>
    <Stack horizontal tokens={{ childrenGap: 8 }}>
      <StepButton view={view} text={view.connection === 'Connected' ? t('Connect_Again') : t('Connect_Button')} onClick={() => void controller.connect()} disabled={!view.runId} />
      {view.connection === 'Connected' && <StepButton view={view} primary={false} text={t('Next')} onClick={() => controller.show('discover')} />}
    </Stack>
  </Stack>
);

const TIERS: LicenseTier[] = ['SalesProfessional', 'SalesEnterprise', 'SalesPremium'];

/** Option values as the plan holds them (strings, numbers, objects); the key of a drop-down entry. */
function optionText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export const DiscoverStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const plan = view.plan;
  const [tier, setTier] = React.useState<LicenseTier>((view.state.licenseTier as LicenseTier) ?? 'SalesEnterprise');
  const [overrides, setOverrides] = React.useState<Partial<MigrationOptions>>(view.state.options as Partial<MigrationOptions>);
  const tierOptions: IDropdownOption[] = TIERS.map((x) => ({ key: x, text: t(`Tier_${x}`) }));
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{t('Discover_Intro')}</Text>
      <Dropdown label={t('Tier_Label')} ariaLabel={t('Tier_Label')} selectedKey={tier} options={tierOptions} onChange={(_, o) => o && setTier(o.key as LicenseTier)} styles={{ root: { maxWidth: 320 } }} />
      <StepButton view={view} text={plan ? t('Discover_Again') : t('Discover_Button')} onClick={() => void controller.discover(tier, overrides)} primary={!plan} />
      {plan && (
        <Stack tokens={{ childrenGap: 8 }} data-testid="plan">
          <Text data-testid="plan-counts">{t('Plan_Counts', plan.source.counts.actions ?? 0, plan.source.counts.participants ?? 0, plan.source.counts.timeentries ?? 0, plan.source.counts.actiondocuments ?? 0)}</Text>
          <Text role={plan.tableBudget.fits ? 'status' : 'alert'} data-testid="table-budget"
            styles={{ root: { color: plan.tableBudget.fits ? undefined : '#8a3707', fontWeight: plan.tableBudget.fits ? undefined : 600 } }}>
            {plan.tableBudget.fits ? t('Budget_Fits', plan.tableBudget.message) : t('Budget_Warning', plan.tableBudget.message)}
          </Text>
          <Text>{t('Plan_Estimates', plan.estimates.actionstepCalls, plan.estimates.dataverseRequests, plan.estimates.dataverseRecords)}</Text>
          {plan.optionChoices.map((o) => {
            const values = [o.chosen, ...o.alternatives.filter((a) => optionText(a) !== optionText(o.chosen))];
            const chosen = overrides[o.name] !== undefined ? optionText(overrides[o.name]) : optionText(o.chosen);
            return (
              <Stack key={String(o.name)} tokens={{ childrenGap: 2 }}>
                <Dropdown label={o.title} ariaLabel={o.title} selectedKey={chosen} styles={{ root: { maxWidth: 480 } }}
                  options={values.map((v) => {
                    const label = v === null ? t('Option_Null') : optionText(v);
                    return { key: optionText(v), text: optionText(v) === optionText(o.recommended) ? t('Option_Recommended', label) : label };
                  })}
                  onChange={(_, picked) => {
                    if (!picked) return;
                    const value = values.find((v) => optionText(v) === picked.key);
                    setOverrides((x) => ({ ...x, [o.name]: value }));
                  }} />
                <Text variant="small">{o.why}</Text>
              </Stack>
            );
          })}
          <Text variant="small">{t('Prepare_TrustLedger')}</Text>
          <Stack horizontal tokens={{ childrenGap: 8 }}>
            <StepButton view={view} primary={false} text={t('Discover_Apply')} onClick={() => void controller.discover(tier, overrides)} />
            <StepButton view={view} text={t('Prepare_Button')} onClick={() => void controller.prepare(false)} />
            {!plan.tableBudget.fits && <StepButton view={view} primary={false} text={t('Prepare_Force')} onClick={() => void controller.prepare(true)} />}
          </Stack>
          {view.extracted && <Text data-testid="extracted">{t('Extracted', Object.values(view.extracted).reduce((a, b) => a + b, 0))}</Text>}
        </Stack>
      )}
    </Stack>
  );
};
