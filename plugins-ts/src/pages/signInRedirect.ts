// The Mapping Wizard's sign-in redirect page (astep_/html/SignInRedirect.html loads this script): Entra sends the
// hidden sign-in iframe or the sign-in pop-up back here, and msal-browser 5 needs the page to hand the response to
// the wizard's window through its redirect bridge (BroadcastChannel on the org's own origin), then close.
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch((e: unknown) => {
  // Opened without a sign-in response (someone followed the link by hand): say so instead of a blank page.
  const p = document.getElementById('status');
  if (p) p.textContent = `This page completes a sign-in of the Actionstep Migration wizard and has nothing to do here (${(e as Error).message}).`;
});
