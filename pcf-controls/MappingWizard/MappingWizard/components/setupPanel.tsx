// Before the steps: the settings the wizard could not use (each by its display name, with what to set and where),
// then the Microsoft sign-in (a button: the sign-in window needs the user's click). Rendering only.
import * as React from 'react';
import { MessageBarType, Stack, Text } from '@fluentui/react';
import type { WizardController, WizardView } from '../wizardController';
import type { Translate } from './translate';
import { StepButton } from './stepButton';
import { Alert } from './Alert';

interface Props { controller: WizardController; view: WizardView; t: Translate }

/** A sentence and the one button that moves on. */
const Prompt: React.FC<{ testId: string; text: string; button: string; view: WizardView; onClick: () => void }> = ({ testId, text, button, view, onClick }) => (
  <Stack tokens={{ childrenGap: 8 }} data-testid={testId}>
    <Text>{text}</Text>
    <StepButton view={view} text={button} onClick={onClick} />
  </Stack>
);

export const SetupPanel: React.FC<Props> = ({ controller, view, t }) => {
  const { phase, problems } = view.setup;
  if (phase === 'settings') {
    // By display name only, as Power Apps lists them (the schema name is kept in data-setting for tests and support).
    return (
      <Stack tokens={{ childrenGap: 8 }} data-testid="settings-problems" aria-labelledby="astep-settings-title">
        <Text variant="large" as="h3" id="astep-settings-title" styles={{ root: { margin: 0 } }}>{t('Settings_Title')}</Text>
        <Alert type={MessageBarType.severeWarning}>
          {t('Settings_Intro')}
          <ul style={{ margin: '4px 0 0' }}>
            {problems.map((p) => (
              <li key={`${p.schemaName}-${p.kind}`} data-setting={p.schemaName}>
                <strong>{p.displayName}</strong> {t(`Setting_${p.kind}`, p.value ?? '', p.detail ?? '')}
              </li>
            ))}
          </ul>
        </Alert>
        <Text>{t('Settings_Where')}</Text>
        <StepButton view={view} text={t('Settings_Recheck')} onClick={() => void controller.recheckSettings()} />
      </Stack>
    );
  }
  if (phase === 'signIn') return <Prompt testId="sign-in" text={t('SignIn_Intro')} button={t('SignIn_Button')} view={view} onClick={() => void controller.signInClicked()} />;
  if (phase === 'failed') return <Prompt testId="setup-failed" text={t('Setup_Failed')} button={t('Settings_Recheck')} view={view} onClick={() => void controller.recheckSettings()} />;
  return <Text data-testid="setup-starting">{t('Setup_Starting')}</Text>;
};
