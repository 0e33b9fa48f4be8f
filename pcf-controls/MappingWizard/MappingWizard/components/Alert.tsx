import * as React from 'react';
import { MessageBar, MessageBarType } from '@fluentui/react';

/**
 * A MessageBar rendered at once (Fluent delays a MessageBar's text by default, which screen readers can miss).
 * Fluent gives its text the live role: alert for errors and severe warnings, status for the rest.
 */
export const Alert: React.FC<{ type: MessageBarType; testId?: string }> = ({ type, testId, children }) => (
  <MessageBar messageBarType={type} isMultiline delayedRender={false} data-testid={testId}>{children}</MessageBar>
);
