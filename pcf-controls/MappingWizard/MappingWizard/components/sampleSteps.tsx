// Sample and Review: run the sample (100–300 records), then review its field-level diff in the Diff Viewer's
// component (the same one as on the form's "Sample Diff" tab) and approve.
import * as React from 'react';
import { Stack, Text } from '@fluentui/react';
import { DiffViewerApp } from '@astep/pcf-diffviewer/components/DiffViewerApp';
import { parseDiffDocument } from '@astep/pcf-diffviewer/diffDocument';
import type { DiffDocument, ReviewDecisions, FieldDecision as ReviewDecision } from '@astep/pcf-diffviewer/Component.types';
import type { StringKey } from '@astep/pcf-diffviewer/strings/keys';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';

interface StepProps { controller: WizardController; view: WizardView; t: Translate }

export const SampleStep: React.FC<StepProps> = ({ controller, view, t }) => (
  <Stack tokens={{ childrenGap: 8 }}>
    <Text>{t('Sample_Intro', (view.plan?.options.sampleSize as number | undefined) ?? 200)}</Text>
    <StepButton view={view} text={view.sample ? t('Sample_Again') : t('Sample_Button')} onClick={() => void controller.sample()} />
    {view.sample && (
      <Text data-testid="sample-summary">{t('Sample_Summary', view.sample.rowCount, view.sample.diff.length, view.sample.mismatches)}</Text>
    )}
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
  const review: ReviewDecisions = {
    approved: view.state.approved,
    approvedOn: view.state.approvedOn,
    // The Diff Viewer knows accept and correct; exclusions come from the Map step and are not shown here.
    decisions: view.state.decisions.filter((d): d is ReviewDecision => d.action !== 'exclude'),
  };
  return (
    <Stack tokens={{ childrenGap: 8 }}>
      {view.approvalProblems.length > 0 && (
        <Stack role="alert" data-testid="approval-problems">
          {view.approvalProblems.map((p) => <Text key={p} styles={{ root: { color: '#a4262c' } }}>{p}</Text>)}
        </Stack>
      )}
      <DiffViewerApp document={document.doc} loadError={document.error} review={review} listHeightInPx={listHeightInPx}
        t={(key: StringKey, ...args) => diffT(key, ...args)}
        onReviewChange={(r) => void controller.review(r.decisions, r.approved && !view.state.approved)} />
      {view.state.approved && <StepButton view={view} primary={false} text={t('Next')} onClick={() => controller.show('run')} />}
    </Stack>
  );
};
