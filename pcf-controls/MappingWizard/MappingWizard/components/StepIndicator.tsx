// Where the admin is: every step as done, current or locked, and why a locked step is locked (what to finish
// first). Steps reached can be opened again; a running step holds them all.
import * as React from 'react';
import { ActionButton, Stack, Text } from '@fluentui/react';
import { WIZARD_STEPS, stepIndex, type WizardStep } from '@astep/orchestrator/wizard/wizardState';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';

type StepState = 'done' | 'current' | 'open' | 'locked';

/** What must be finished before a step opens. */
const LOCK_REASON: Record<WizardStep, string> = {
  connect: '', discover: 'Lock_discover', map: 'Lock_map', sample: 'Lock_sample', review: 'Lock_review', run: 'Lock_run', delta: 'Lock_delta', verify: 'Lock_verify',
};

function stepState(view: WizardView, s: WizardStep): StepState {
  const reached = stepIndex(view.state.step);
  const i = stepIndex(s);
  if (i > reached) return 'locked';
  if (view.viewStep === s) return 'current';
  const st = view.state;
  const done = i < reached || (s === 'run' && !!st.runCompletedOn) || (s === 'delta' && !!st.lastDeltaOn) || (s === 'verify' && !!st.verifiedOn);
  return done ? 'done' : 'open';
}

// Text colours with at least 4.5:1 against the step's background (the current step's is light blue).
const COLORS: Record<StepState, string> = { done: '#107c10', current: '#004578', open: '#605e5c', locked: '#605e5c' };
/** Read by screen readers, not shown (the reason of the next locked step is shown under the steps). */
const SCREEN_READER_ONLY: React.CSSProperties = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' };
const MARKS: Record<StepState, string> = { done: '\u2713', current: '\u25CF', open: '\u25CB', locked: '\u2013' };

export const StepIndicator: React.FC<{ controller: WizardController; view: WizardView; t: Translate }> = ({ controller, view, t }) => {
  const firstLocked = WIZARD_STEPS.find((s) => stepState(view, s) === 'locked');
  return (
    <nav aria-label={t('Steps_Label')}>
      {/* A plain list (Stack wraps its children in a div, which an ol may not hold). */}
      <ol style={{ listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', gap: 4 }}>
        {WIZARD_STEPS.map((s, i) => {
          const state = stepState(view, s);
          const name = `${i + 1}. ${t(`Step_${s}`)}`;
          const status = t(`StepState_${state}`);
          const box = { root: { minWidth: 118, height: 52, padding: '4px 10px', border: `1px solid ${state === 'current' ? '#0078d4' : '#c8c6c4'}`, borderRadius: 2, background: state === 'current' ? '#eff6fc' : state === 'locked' ? '#f3f2f1' : '#ffffff' } };
          const label = (
            <Stack horizontalAlign="start">
              <Text styles={{ root: { fontWeight: state === 'current' ? 600 : 400, color: state === 'locked' ? '#605e5c' : '#201f1e' } }}>{name}</Text>
              <Text variant="small" styles={{ root: { color: COLORS[state] } }}><span aria-hidden>{MARKS[state]} </span>{status}</Text>
            </Stack>
          );
          return (
            <li key={s} data-testid={`stepper-${s}`} data-state={state}>
              {state === 'locked' ? (
                // Not a button: nothing to press. The reason is read with it and shown under the steps.
                <Stack styles={box} verticalAlign="center" title={t(LOCK_REASON[s])}>{label}<span style={SCREEN_READER_ONLY}>{t(LOCK_REASON[s])}</span></Stack>
              ) : (
                <ActionButton styles={{ ...box, rootHovered: { background: '#f3f2f1' }, rootDisabled: box.root }} disabled={!!view.busy} aria-current={state === 'current' ? 'step' : undefined}
                  ariaLabel={`${name}: ${status}`} onClick={() => controller.show(s)}>{label}</ActionButton>
              )}
            </li>
          );
        })}
      </ol>
      {firstLocked && (
        <Text variant="small" data-testid="lock-reason" styles={{ root: { display: 'block', marginTop: 4, color: '#605e5c' } }}>
          {t('Lock_Next', t(`Step_${firstLocked}`), t(LOCK_REASON[firstLocked]))}
        </Text>
      )}
    </nav>
  );
};
