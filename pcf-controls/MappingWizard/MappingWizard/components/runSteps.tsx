// Run (counts, ETA, pause and resume), Delta and Verify: each shows what the engine reported, per object.
import * as React from 'react';
import { Stack, Text } from '@fluentui/react';
import type { RunSummary } from '@astep/orchestrator/run/engine';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

const cell: React.CSSProperties = { padding: '2px 10px', textAlign: 'right', borderBottom: '1px solid #edebe9' };
const headCell: React.CSSProperties = { ...cell, textAlign: 'left', fontWeight: 600 };

/** A table of counts per row name: headers from the resx, numbers right-aligned. */
function CountsTable({ t, testId, label, headers, rows }: { t: Translate; testId: string; label: string; headers: string[]; rows: Array<{ name: string; counts: number[] }> }) {
  return (
    <table data-testid={testId} aria-label={t(label)} style={{ borderCollapse: 'collapse', fontSize: 13 }}>
      <thead><tr>{headers.map((k) => <th key={k} scope="col" style={headCell}>{t(k)}</th>)}</tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row" style={headCell}>{r.name}</th>
            {r.counts.map((n, i) => <td key={headers[i + 1]} style={cell}>{n}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SummaryTable({ summary, t, testId }: { summary: RunSummary; t: Translate; testId: string }) {
  return (
    <CountsTable t={t} testId={testId} label="Summary_Label" headers={['Summary_Object', 'Summary_Extracted', 'Summary_Migrated', 'Summary_Skipped', 'Summary_Failed']}
      rows={summary.objects.filter((o) => o.extracted > 0).map((o) => ({ name: o.object, counts: [o.extracted, o.migrated, o.skipped, o.failed] }))} />
  );
}

function Totals({ summary, t }: { summary: RunSummary; t: Translate }) {
  const x = summary.totals;
  return (
    <Text role="status" data-testid="run-totals">
      {t('Run_Totals', x.extracted, x.migrated, x.skipped, x.failed)} {summary.reconciles ? t('Run_Reconciles') : t('Run_DoesNotReconcile')}
    </Text>
  );
}

export const RunStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const running = view.busy !== null && view.summary === null;
  const done = !!view.state.runCompletedOn;
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{done ? t('Run_Done') : view.state.approved ? t('Run_Intro') : t('Run_NotApproved')}</Text>
      <Stack horizontal tokens={{ childrenGap: 8 }}>
        <StepButton view={view} text={t('Run_Button')} onClick={() => void controller.startRun()} disabled={!view.state.approved || done} />
        {running && !view.paused && <StepButton view={{ ...view, busy: null }} primary={false} text={t('Run_Pause')} onClick={() => void controller.pause()} />}
        {view.paused && <StepButton view={{ ...view, busy: null }} primary={false} text={t('Run_Resume')} onClick={() => void controller.resume()} />}
      </Stack>
      {view.paused && <Text role="status" data-testid="run-paused">{t('Run_Paused')}</Text>}
      {view.summary && done && (
        <>
          <Totals summary={view.summary} t={t} />
          <SummaryTable summary={view.summary} t={t} testId="run-summary" />
          {view.summary.objects.some((o) => o.failedReasons.length > 0) && (
            <details>
              <summary>{t('Run_Failures', view.summary.totals.failed)}</summary>
              <ul data-testid="run-failures">
                {view.summary.objects.flatMap((o) => o.failedReasons.slice(0, 20).map((f) => <li key={`${o.object}:${f.id}`}>{`${o.object} ${f.id}: ${f.message}`}</li>))}
              </ul>
            </details>
          )}
          <StepButton view={view} primary={false} text={t('Next')} onClick={() => controller.show('delta')} />
        </>
      )}
    </Stack>
  );
};

export const DeltaStep: React.FC<StepProps> = ({ controller, view, t }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <Text>{t('Delta_Intro', view.state.lastDeltaOn ?? view.state.extractedOn ?? '')}</Text>
    <StepButton view={view} text={t('Delta_Button')} onClick={() => void controller.delta()} />
    {view.delta && (
      <Stack tokens={{ childrenGap: 4 }}>
        <Text role="status" data-testid="delta-result">
          {t('Delta_Result', view.delta.scan.resources.reduce((n, r) => n + r.changed.length, 0), view.delta.deletions.reported, view.delta.deletions.applied)}
        </Text>
        <Totals summary={view.delta.summary} t={t} />
        <StepButton view={view} primary={false} text={t('Next')} onClick={() => controller.show('verify')} />
      </Stack>
    )}
  </Stack>
);

export const VerifyStep: React.FC<StepProps> = ({ controller, view, t }) => {
  const v = view.verify;
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      <Text>{t('Verify_Intro')}</Text>
      <StepButton view={view} text={t('Verify_Button')} onClick={() => void controller.verify()} />
      {v && (
        <Stack tokens={{ childrenGap: 4 }}>
          <Text role="status" data-testid="verify-result" styles={{ root: { fontWeight: 600, color: v.ok ? '#107c10' : '#a4262c' } }}>
            {v.ok ? t('Verify_Ok', v.tables.length, v.unexplained) : t('Verify_Failed', v.unexplained)}
          </Text>
          <CountsTable t={t} testId="verify-tables" label="Verify_Label" headers={['Verify_Table', 'Verify_Expected', 'Verify_Found', 'Verify_Missing', 'Verify_Differing']}
            rows={v.tables.map((x) => ({ name: x.table, counts: [x.expectedRows, x.foundRows, x.missingRows, x.differingRows] }))} />
        </Stack>
      )}
    </Stack>
  );
};
