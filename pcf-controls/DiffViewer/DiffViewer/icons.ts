// The few Fluent icons the control uses, as text glyphs: initializeIcons() would fetch an icon font from a CDN.
import { registerIcons, setIconOptions } from '@fluentui/react';
import * as React from 'react';

let registered = false;
export function registerDiffViewerIcons(): void {
  if (registered) return;
  registered = true;
  // Another control on the form may have registered the same names already.
  setIconOptions({ disableWarnings: true });
  registerIcons({
    icons: {
      ChevronDown: React.createElement('span', { 'aria-hidden': true }, '\u25BE'),
      Cancel: React.createElement('span', { 'aria-hidden': true }, '\u2715'),
      CheckMark: React.createElement('span', { 'aria-hidden': true }, '\u2713'),
      Info: React.createElement('span', { 'aria-hidden': true }, 'i'),
      ErrorBadge: React.createElement('span', { 'aria-hidden': true }, '!'),
      // MessageBar's icons (severe warning, success, blocked).
      Warning: React.createElement('span', { 'aria-hidden': true }, '\u26A0'),
      Completed: React.createElement('span', { 'aria-hidden': true }, '\u2713'),
      Blocked2: React.createElement('span', { 'aria-hidden': true }, '\u2298'),
    },
  });
}
