// The wizard's screens: until its settings are good and the user is signed in, what is missing (SetupPanel); then a
// step list, the current step's panel, progress and the log. Pure rendering over the
// controller's view; every string comes from the resx through `t`, and every source value is rendered as text.
import * as React from 'react';
import { DefaultButton, ProgressIndicator, Stack, Text } from '@fluentui/react';
import type { WizardController, WizardView } from '../wizardController';
import { WIZARD_STEPS, stepIndex, type WizardStep } from '@astep/orchestrator/wizard/wizardState';
import type { Translate } from './translate';
import { ConnectStep, DiscoverStep } from './setupSteps';
import { SetupPanel } from './setupPanel';
import { MapStep } from './mapStep';
import { ReviewStep, SampleStep } from './sampleSteps';
import { DeltaStep, RunStep, VerifyStep } from './runSteps';

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

function etaText(t: Translate, view: WizardView): string {
  const p = view.progress;
  if (!p) return '';
  if (!p.total || p.rate <= 0 || p.done >= p.total) return t('Progress_Count', p.done, p.total || '?');
  const seconds = Math.max(1, Math.round((p.total - p.done) / p.rate));
  return t('Progress_Eta', p.done, p.total, seconds >= 90 ? t('Minutes', Math.round(seconds / 60)) : t('Seconds', seconds));
}

export const WizardApp: React.FC<WizardAppProps> = ({ controller, t, diffT, listHeightInPx }) => {
  const view = useView(controller);
  const reached = stepIndex(view.state.step);
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
  return (
    <Stack tokens={{ childrenGap: 12 }} className="astep-mappingwizard" data-testid="wizard">
      <Text variant="xLarge" as="h2">{t('Title')}</Text>
      {view.runId && <Text data-testid="run-id">{t('RunId', view.runId)}</Text>}
      {view.setup.signedInAs && <Text data-testid="signed-in-as">{t('SignedInAs', view.setup.signedInAs)}</Text>}
      {view.setup.phase === 'ready' && <Text role="status" data-testid="connection-status">{t(`Connection_${view.connection}`, view.state.connectionId ?? '')}</Text>}
      {view.error && <Text role="alert" data-testid="wizard-error" styles={{ root: { color: '#a4262c' } }}>{view.error}</Text>}
      {view.setup.phase !== 'ready' && !view.busy && <SetupPanel controller={controller} view={view} t={t} />}
      {view.setup.phase === 'ready' && <nav aria-label={t('Steps_Label')}>
        <Stack horizontal wrap tokens={{ childrenGap: 4 }} as="ol" styles={{ root: { listStyle: 'none', padding: 0, margin: 0 } }}>
          {WIZARD_STEPS.map((s, i) => (
            <li key={s}>
              <DefaultButton
                text={`${i + 1}. ${t(`Step_${s}`)}`}
                disabled={i > reached || !!view.busy}
                checked={view.viewStep === s}
                aria-current={view.viewStep === s ? 'step' : undefined}
                onClick={() => controller.show(s)}
                styles={{ root: { minWidth: 0, padding: '0 8px' }, rootChecked: { fontWeight: 600, borderColor: '#0078d4' } }}
              />
            </li>
          ))}
        </Stack>
      </nav>}
      {view.busy && (
        <div data-testid="wizard-busy">
          <ProgressIndicator label={view.busy} description={p ? `${p.task}: ${etaText(t, view)}` : t('Working')}
            percentComplete={p && p.total ? Math.min(1, p.done / p.total) : undefined} />
        </div>
      )}
      {view.setup.phase === 'ready' && (
        <section aria-label={t(`Step_${view.viewStep}`)} data-testid={`step-${view.viewStep}`}>
          <Stack tokens={{ childrenGap: 8 }}>
            <Text variant="large" as="h3">{t(`Step_${view.viewStep}`)}</Text>
            {panel[view.viewStep]()}
          </Stack>
        </section>
      )}
      {view.log.length > 0 && (
        <details>
          <summary>{t('Log_Title', view.log.length)}</summary>
          <pre data-testid="wizard-log" style={{ maxHeight: 160, overflow: 'auto', whiteSpace: 'pre-wrap', fontSize: 12 }}>{view.log.join('\n')}</pre>
        </details>
      )}
    </Stack>
  );
};
