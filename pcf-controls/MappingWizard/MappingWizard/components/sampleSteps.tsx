// Sample and Review: run the sample (100–300 records), then review its field-level comparison in the Diff Viewer's
// component (the same one as on the form's "Sample Diff" tab) and approve here, the one place approval happens.
import * as React from 'react';
import { MessageBarType, Stack, Text } from '@fluentui/react';
import { reasonsChart } from '@astep/orchestrator/report/runCharts';
import { formatCount } from '@astep/orchestrator/vocabulary/format';
import { DiffViewerApp } from '@astep/pcf-diffviewer/components/DiffViewerApp';
import { parseDiffDocument } from '@astep/pcf-diffviewer/diffDocument';
import type { DiffDocument, ReviewDecisions, FieldDecision as ReviewDecision } from '@astep/pcf-diffviewer/Component.types';
import type { StringKey } from '@astep/pcf-diffviewer/strings/keys';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';
import { Alert } from './Alert';
import { SvgChart } from './SvgChart';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

const LOCALE = { locale: typeof navigator !== 'undefined' ? navigator.language : undefined };

export const SampleStep: React.FC<StepProps> = ({ controller, view, t }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <Text>{t('Sample_Intro', (view.plan?.options.sampleSize as number | undefined) ?? 200)}</Text>
    {view.sample && (
      <Alert type={view.sample.mismatches ? MessageBarType.warning : MessageBarType.success} testId="sample-summary">
        {t('Sample_Summary', formatCount(view.sample.rowCount), formatCount(view.sample.diff.length), formatCount(view.sample.mismatches))}
      </Alert>
    )}
    <Stack horizontal tokens={{ childrenGap: 8 }}>
      <StepButton view={view} text={view.sample ? t('Sample_Again') : t('Sample_Button')} onClick={() => void controller.sample()} primary={!view.sample} />
      {view.sample && <StepButton view={view} text={t('Sample_Review')} onClick={() => controller.show('review')} />}
    </Stack>
  </Stack>
);

export const ReviewStep: React.FC<StepProps & { diffT: (key: string, ...args: Array<string | number>) => string; listHeightInPx: number }> = ({ controller, view, t, diffT, listHeightInPx }) => {
  const document = React.useMemo<{ doc: DiffDocument | null; error: string | null }>(() => {
    if (!view.sample) return { doc: null, error: null };
    try {
      return { doc: parseDiffDocument(JSON.stringify(view.sample)), error: null };
    } catch (e) {
      return { doc: null, error: (e as Error).message };
    }
  }, [view.sample]);
  const chart = React.useMemo(() => (view.sample ? reasonsChart(view.sample.diff, LOCALE, 'wizard-reasons', { width: 760, labelWidth: 320 }) : null), [view.sample]);
  const review: ReviewDecisions = {
    approved: view.state.approved,
    approvedOn: view.state.approvedOn,
    // The Diff Viewer knows accept and correct; exclusions come from the Map step and are not shown here.
    decisions: view.state.decisions.filter((d): d is ReviewDecision => d.action !== 'exclude'),
  };
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      {view.approvalProblems.length > 0 && (
        <Alert type={MessageBarType.error} testId="approval-problems">
          {t('Approve_Problems')}
          <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>{view.approvalProblems.map((p) => <li key={p}>{p}</li>)}</ul>
        </Alert>
      )}
      {chart && (
        <details>
          <summary>{t('Review_Chart')}</summary>
          <SvgChart chart={chart} testId="reasons-chart" />
        </details>
      )}
      <DiffViewerApp document={document.doc} loadError={document.error} review={review} listHeightInPx={listHeightInPx} locale={LOCALE} headingLevel={4} canApprove
        t={(key: StringKey, ...args) => diffT(key, ...args)}
        onReviewChange={(r) => void controller.review(r.decisions, r.approved && !view.state.approved)} />
      {view.state.approved && <StepButton view={view} text={t('Next')} onClick={() => controller.show('run')} />}
    </Stack>
  );
};
