import * as React from 'react';
import { DefaultButton, PrimaryButton } from '@fluentui/react';
import type { WizardView } from '../wizardController';

/** A step's action: disabled while anything runs, so two steps never overlap. */
export const StepButton: React.FC<{ view: WizardView; text: string; onClick: () => void; disabled?: boolean; primary?: boolean }> = ({ view, text, onClick, disabled, primary = true }) =>
  primary
    ? <PrimaryButton text={text} onClick={onClick} disabled={!!view.busy || disabled} />
    : <DefaultButton text={text} onClick={onClick} disabled={!!view.busy || disabled} />;
