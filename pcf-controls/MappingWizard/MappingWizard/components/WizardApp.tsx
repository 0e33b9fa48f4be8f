// The wizard's screens: until its settings are good and the user is signed in, what is missing (SetupPanel); then
// the step indicator, messages, progress, the current step's panel and the activity log. Pure rendering over the
// controller's view; every string comes from the resx through `t` or from the engine's vocabulary, and every source
// value is rendered as text.
import * as React from 'react';
import { MessageBarType, ProgressIndicator, Stack, Text } from '@fluentui/react';
import type { WizardStep } from '@astep/orchestrator/wizard/wizardState';
import { formatCount, formatDateTime, formatDuration, formatRate } from '@astep/orchestrator/vocabulary/format';
import { taskLabel } from '@astep/orchestrator/vocabulary/progressLabels';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { ConnectStep, DiscoverStep } from './setupSteps';
import { SetupPanel } from './setupPanel';
import { MapStep } from './mapStep';
import { ReviewStep, SampleStep } from './sampleSteps';
import { DeltaStep, RunStep, VerifyStep } from './runSteps';
import { StepIndicator } from './StepIndicator';
import { Alert } from './Alert';

export interface WizardAppProps {
  controller: WizardController;
  t: Translate;
  diffT: (key: string, ...args: Array<string | number>) => string;
  listHeightInPx: number;
}

export function useView(controller: WizardController): WizardView {
  const [view, setView] = React.useState(controller.snapshot);
  React.useEffect(() => controller.subscribe(() => setView(controller.snapshot)), [controller]);
  return view;
}

/** "Writing time entries: 1,200 of 3,669 · 850/s · about 3 s left". */
export function progressText(t: Translate, view: WizardView): string {
  const p = view.progress;
  if (!p) return t('Working');
  const parts = [`${taskLabel(p.task)}: ${p.total ? t('Progress_Count', formatCount(p.done), formatCount(p.total)) : formatCount(p.done)}`];
  if (p.rate > 0) parts.push(formatRate(p.rate, t('Progress_Unit')));
  if (p.total && p.rate > 0 && p.done < p.total) parts.push(t('Progress_Eta', formatDuration(Math.max(1, (p.total - p.done) / p.rate))));
  return parts.join(' · ');
}

export const WizardApp: React.FC<WizardAppProps> = ({ controller, t, diffT, listHeightInPx }) => {
  const view = useView(controller);
  const panel: Record<WizardStep, () => React.ReactNode> = {
    connect: () => <ConnectStep controller={controller} view={view} t={t} />,
    discover: () => <DiscoverStep controller={controller} view={view} t={t} />,
    map: () => <MapStep controller={controller} view={view} t={t} />,
    sample: () => <SampleStep controller={controller} view={view} t={t} />,
    review: () => <ReviewStep controller={controller} view={view} t={t} diffT={diffT} listHeightInPx={listHeightInPx} />,
    run: () => <RunStep controller={controller} view={view} t={t} />,
    delta: () => <DeltaStep controller={controller} view={view} t={t} />,
    verify: () => <VerifyStep controller={controller} view={view} t={t} />,
  };
  const p = view.progress;
  const headingId = `astep-step-${view.viewStep}`;
  // Until the settings are good and the user is signed in, only the setup panel: no step can run yet.
  const ready = view.setup.phase === 'ready';
  return (
    <Stack tokens={{ childrenGap: 12 }} className="astep-mappingwizard" data-testid="wizard" styles={{ root: { maxWidth: '100%', minWidth: 0 } }}>
      <Stack horizontal wrap verticalAlign="baseline" tokens={{ childrenGap: 16 }}>
        <Text variant="xLarge" as="h2" styles={{ root: { margin: 0 } }}>{t('Title')}</Text>
        {view.runId && <Text data-testid="run-id">{t('RunId', view.runId)}</Text>}
        {view.setup.signedInAs && <Text data-testid="signed-in-as">{t('SignedInAs', view.setup.signedInAs)}</Text>}
        {ready && <Text role="status" data-testid="connection-status">{t(`Connection_${view.connection}`, view.state.connectionId ?? '')}</Text>}
      </Stack>
      {ready && <StepIndicator controller={controller} view={view} t={t} />}
      {view.state.rolledBackOn && (
        <Alert type={MessageBarType.warning} testId="rolled-back">{t(view.state.rollbackComplete ? 'RolledBack' : 'RolledBackPartly', formatDateTime(view.state.rolledBackOn))}</Alert>
      )}
      {view.error && <Alert type={MessageBarType.error} testId="wizard-error">{view.error}</Alert>}
      {!ready && !view.busy && <SetupPanel controller={controller} view={view} t={t} />}
      {view.busy && (
        <div data-testid="wizard-busy">
          {/* Paused is not running: the label says so, and the bar stops moving. */}
          <ProgressIndicator label={view.paused ? t('Busy_Paused') : view.busy} description={progressText(t, view)}
            percentComplete={p && p.total ? Math.min(1, p.done / p.total) : undefined} />
        </div>
      )}
      {ready && (
        <section aria-labelledby={headingId} data-testid={`step-${view.viewStep}`}>
          <Stack tokens={{ childrenGap: 8 }}>
            <Text variant="large" as="h3" id={headingId} styles={{ root: { margin: 0 } }}>{t(`Step_${view.viewStep}`)}</Text>
            {panel[view.viewStep]()}
          </Stack>
        </section>
      )}
      {view.log.length > 0 && (
        <details>
          <summary>{t('Log_Title', formatCount(view.log.length))}</summary>
          <pre data-testid="wizard-log" tabIndex={0} aria-label={t('Log_Label')} style={{ maxHeight: 160, overflow: 'auto', whiteSpace: 'pre-wrap', fontSize: 12 }}>{view.log.join('\n')}</pre>
        </details>
      )}
    </Stack>
  );
};
