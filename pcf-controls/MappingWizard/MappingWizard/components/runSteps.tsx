// Run (progress over time, pause and resume, the outcome per object as a picture and a list), Delta and Verify:
// each shows what the engine reported in people's words, and says plainly when a rollback made it history.
import * as React from 'react';
import { MessageBarType, Stack, Text } from '@fluentui/react';
import type { RunSummary } from '@astep/orchestrator/run/engine';
import { progressChart } from '@astep/orchestrator/report/charts';
import { outcomeChart } from '@astep/orchestrator/report/runCharts';
import { formatCount, formatDateTime } from '@astep/orchestrator/vocabulary/format';
import { objectLabel, tableLabel } from '@astep/orchestrator/vocabulary/objects';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';
import { Alert } from './Alert';
import { CountsList } from './CountsList';
import { SvgChart } from './SvgChart';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

function SummaryList({ summary, t, testId }: { summary: RunSummary; t: Translate; testId: string }) {
  return (
    <CountsList testId={testId} label={t('Summary_Label')} headers={[t('Summary_Object'), t('Summary_Extracted'), t('Summary_Migrated'), t('Summary_Skipped'), t('Summary_Failed')]}
      rows={summary.objects.filter((o) => o.extracted > 0).map((o) => ({ name: objectLabel(o.object), counts: [o.extracted, o.migrated, o.skipped, o.failed] }))} />
  );
}

function Totals({ summary, t }: { summary: RunSummary; t: Translate }) {
  const x = summary.totals;
  return (
    <Alert type={!summary.reconciles ? MessageBarType.error : x.failed ? MessageBarType.warning : MessageBarType.success} testId="run-totals">
      {t('Run_Totals', formatCount(x.extracted), formatCount(x.migrated), formatCount(x.skipped), formatCount(x.failed))} {summary.reconciles ? t('Run_Reconciles') : t('Run_DoesNotReconcile')}
    </Alert>
  );
}

export const RunStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const running = view.busy !== null && view.summary === null;
  const done = !!view.state.runCompletedOn;
  const h = view.history;
  const chart = React.useMemo(() => (view.summary && done ? outcomeChart(view.summary, {}, 'wizard-outcomes') : null), [view.summary, done]);
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      {done ? <Text>{t('Run_Done')}</Text> : view.state.approved ? <Text>{t('Run_Intro')}</Text> : <Alert type={MessageBarType.info}>{t('Run_NotApproved')}</Alert>}
      <Stack horizontal tokens={{ childrenGap: 8 }}>
        {!done && <StepButton view={view} text={t('Run_Button')} onClick={() => void controller.startRun()} disabled={!view.state.approved} />}
        {running && !view.paused && <StepButton view={{ ...view, busy: null }} primary={false} text={t('Run_Pause')} onClick={() => void controller.pause()} />}
        {view.paused && <StepButton view={{ ...view, busy: null }} text={t('Run_Resume')} onClick={() => void controller.resume()} />}
      </Stack>
      {view.paused && <div data-testid="run-paused"><Alert type={MessageBarType.warning}>{t('Run_Paused')}</Alert></div>}
      {running && h && h.points.length > 1 && (
        <SvgChart testId="run-progress-chart" chart={progressChart({ id: 'wizard-progress', title: t('Run_ProgressChart'), points: h.points, total: Math.max(h.total, h.done), format: (n) => formatCount(n) })} />
      )}
      {view.summary && done && (
        <>
          <Totals summary={view.summary} t={t} />
          {chart && <SvgChart chart={chart} testId="outcome-chart" />}
          <SummaryList summary={view.summary} t={t} testId="run-summary" />
          {view.summary.objects.some((o) => o.failedReasons.length > 0) && (
            <details>
              <summary>{t('Run_Failures', formatCount(view.summary.totals.failed))}</summary>
              <ul data-testid="run-failures">
                {view.summary.objects.flatMap((o) => o.failedReasons.slice(0, 20).map((f) => <li key={`${o.object}:${f.id}`}>{`${objectLabel(o.object, 1)} ${f.id}: ${f.message}`}</li>))}
              </ul>
            </details>
          )}
          <StepButton view={view} text={t('Next')} onClick={() => controller.show('delta')} />
        </>
      )}
    </Stack>
  );
};

export const DeltaStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const since = view.state.lastDeltaOn ?? view.state.extractedOn;
  const d = view.delta;
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{since ? t('Delta_Intro', formatDateTime(since)) : t('Delta_Intro_NoDate')}</Text>
      <StepButton view={view} text={t('Delta_Button')} onClick={() => void controller.delta()} primary={!d} />
      {d && (
        <Stack tokens={{ childrenGap: 6 }}>
          <div data-testid="delta-result">
            <Alert type={MessageBarType.success}>
              {t('Delta_Result', formatCount(d.scan.resources.reduce((n, r) => n + r.added.length + r.changed.length, 0)), formatCount(d.deletions.reported), formatCount(d.deletions.applied))}
            </Alert>
          </div>
          <Totals summary={d.summary} t={t} />
          <StepButton view={view} text={t('Next')} onClick={() => controller.show('verify')} />
        </Stack>
      )}
    </Stack>
  );
};

export const VerifyStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const v = view.verify;
  const rolledBack = !!view.state.rolledBackOn;
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{t('Verify_Intro')}</Text>
      <StepButton view={view} text={t('Verify_Button')} onClick={() => void controller.verify()} primary={!v} />
      {v && (
        <Stack tokens={{ childrenGap: 6 }}>
          <div data-testid="verify-result">
            {/* After a rollback the verification describes Dynamics as it was: no green tick for a state that is gone. */}
            <Alert type={rolledBack ? MessageBarType.warning : v.ok ? MessageBarType.success : MessageBarType.error}>
              {rolledBack ? t('Verify_RolledBack') : v.ok ? t('Verify_Ok', formatCount(v.tables.length)) : t('Verify_Failed', formatCount(v.unexplained))}
            </Alert>
          </div>
          <CountsList testId="verify-tables" label={t('Verify_Label')} headers={[t('Verify_Table'), t('Verify_Expected'), t('Verify_Found'), t('Verify_Missing'), t('Verify_Differing')]}
            rows={v.tables.map((x) => ({ name: tableLabel(x.table), counts: [x.expectedRows, x.foundRows, x.missingRows, x.differingRows] }))} />
        </Stack>
      )}
    </Stack>
  );
};
