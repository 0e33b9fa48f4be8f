import * as React from 'react';
import { DefaultButton, PrimaryButton, Stack } from '@fluentui/react';
import type { WizardView } from '../wizardController';

/** A step's action: disabled while anything runs, so two steps never overlap. */
// In its own horizontal stack so a column layout does not stretch it to the full width.
export const StepButton: React.FC<{ view: WizardView; text: string; onClick: () => void; disabled?: boolean; primary?: boolean }> = ({ view, text, onClick, disabled, primary = true }) => (
  <Stack horizontal>
    {primary
      ? <PrimaryButton text={text} onClick={onClick} disabled={!!view.busy || disabled} />
      : <DefaultButton text={text} onClick={onClick} disabled={!!view.busy || disabled} />}
  </Stack>
);
