// A Dynamics org as an admin leaves it after following the README's "Inside Dynamics", for browser tests of the
// Mapping Wizard: the Dataverse emulator with the built solution imported (tables, environment variables, web
// resources, the custom connector with the API name the org assigned), the environment variable values the admin
// set through the Web API, a Migration Run row; an Entra stand-in with the admin's app registration; the Power
// Platform stand-in (connections API and connector runtime) for that connector in that environment. Pages open on the
// org's own origin with the admin's session cookie, so the wizard runs as it does in a model-driven form: nothing is
// handed to it but its PCF context.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCHEMA } from '@astep/solution/schema';
import { loadPackInputs } from '@astep/solution/pack/inputs';
import { packSolution, zipPackage } from '@astep/solution/pack/packSolution';
import { CONNECTION_VARIABLES } from '@astep/solution/ui/environmentVariables';
import { ROLE_ID, ROLE_NAME } from '@astep/solution/ui/roleIds';
import { startTestEmulators, webApi } from './harness';
import { EntraStandIn, type EntraUser } from './entraStandIn';
import { startConnectorRuntime, type ConnectorRuntime } from './connectorRuntime';
import { HOST_PATHS } from '../browser/host/hostPaths';

const ROOT = path.resolve(__dirname, '..', '..');
const WIZARD_OUT = path.join(ROOT, 'pcf-controls/MappingWizard/out/controls/MappingWizard');
const COMMANDS = path.join(ROOT, 'plugins-ts/dist/webresources/js/MigrationRunCommands.js');
/** The app registration's client id (what the admin copies from Entra into the Entra App (Client) ID variable). */
export const WIZARD_APP_ID = '3f6c2a9e-51d4-4b7a-9e0c-7d2b8a41c5f3';
export const POWER_APPS_RESOURCE = 'https://service.powerapps.com/';
export const API_HUB_RESOURCE = 'https://apihub.azure.com';

type Emu = Awaited<ReturnType<typeof startTestEmulators>>;

export interface DynamicsOrg {
  emu: Emu;
  entra: EntraStandIn;
  runtime: ConnectorRuntime;
  admin: EntraUser;
  /** The connector's API name the org assigned on import (connector.connectorinternalid). */
  apiName: string;
  runId: string;
  rowId: string;
  /** The Migration Run form's address on the org. */
  formUrl: string;
  /** A browser context as the admin's browser: signed in to the org (session cookie), Entra routed to the stand-in. */
  newContext(browser: Browser): Promise<BrowserContext>;
  /** The value of an environment variable as the admin set it. */
  setVariable(schemaName: string, value: string): Promise<void>;
  close(): Promise<void>;
}

export interface DynamicsOrgOptions {
  firm: 'tiny' | 'demo';
  seed: number;
  runId: string;
  /** Variables the admin leaves unset (to test what the wizard says). */
  unset?: string[];
}

export async function startDynamicsOrg(o: DynamicsOrgOptions): Promise<DynamicsOrg> {
  for (const f of [path.join(WIZARD_OUT, 'bundle.js'), COMMANDS, path.join(ROOT, 'plugins-ts/dist/webresources/js/SignInRedirect.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" (npm test does)`);
  }
  const emu = await startTestEmulators({ firm: o.firm, seed: o.seed });
  let runtime: ConnectorRuntime | undefined;
  try {
    return await prepareOrg(o, emu, (r) => { runtime = r; });
  } catch (e) {
    // A setup that fails half-way must not leave its servers listening: jest would never exit.
    await runtime?.close();
    await emu.close();
    throw e;
  }
}

async function prepareOrg(o: DynamicsOrgOptions, emu: Emu, started: (runtime: ConnectorRuntime) => void): Promise<DynamicsOrg> {
  const dv = emu.dataverse;
  // The admin imports the solution built from this repository (as build:solution packs it).
  const zip = await zipPackage(packSolution(SCHEMA, { version: '1.0.0.0', managed: false, inputs: loadPackInputs(ROOT) }));
  const imported = await webApi(emu, 'POST', 'ImportSolution', { CustomizationFile: Buffer.from(zip).toString('base64'), OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: '5b7c0e1a-0000-4000-8000-00000000f001' });
  if (imported.status !== 204) throw new Error(`ImportSolution answered ${imported.status}: ${JSON.stringify(imported.json)}`);
  const [connector] = (await webApi(emu, 'GET', "connectors?$select=connectorinternalid&$filter=name eq 'astep_actionstep'")).json.value;
  const apiName: string = connector.connectorinternalid;
  const adminRow = (await webApi(emu, 'GET', "systemusers?$select=systemuserid,domainname,fullname,azureactivedirectoryobjectid&$filter=domainname eq 'admin@emulator.local'")).json.value[0];
  const admin: EntraUser = { upn: adminRow.domainname, name: adminRow.fullname, oid: adminRow.azureactivedirectoryobjectid };

  // The admin's app registration: a single-page application redirecting to the solution's sign-in page, with
  // delegated permissions (admin consent) to PowerApps Service and Azure API Connections.
  const entra = new EntraStandIn({
    tenantId: dv.tenantId,
    apps: [{ clientId: WIZARD_APP_ID, spaRedirectUris: [`${dv.url}/WebResources/astep_/html/SignInRedirect.html`], resources: [POWER_APPS_RESOURCE, API_HUB_RESOURCE] }],
    users: [admin],
  });
  const runtime = await startConnectorRuntime({
    actionstep: { authorizeUrl: emu.actionstep.authorizeUrl, tokenUrl: emu.actionstep.tokenUrl, clientId: emu.actionstep.clientId, clientSecret: emu.actionstep.clientSecret },
    identity: entra,
    environmentId: dv.environmentId,
    apiName,
  });
  started(runtime);

  const setVariable = async (schemaName: string, value: string) => {
    const [def] = (await webApi(emu, 'GET', `environmentvariabledefinitions?$select=environmentvariabledefinitionid&$filter=schemaname eq '${schemaName}'`)).json.value;
    if (!def) throw new Error(`no environment variable ${schemaName} in the org`);
    const existing = (await webApi(emu, 'GET', `environmentvariablevalues?$select=environmentvariablevalueid&$filter=_environmentvariabledefinitionid_value eq ${def.environmentvariabledefinitionid}`)).json.value[0];
    const r = existing
      ? await webApi(emu, 'PATCH', `environmentvariablevalues(${existing.environmentvariablevalueid})`, { value })
      : await webApi(emu, 'POST', 'environmentvariablevalues', { schemaname: schemaName, value, 'EnvironmentVariableDefinitionId@odata.bind': `/environmentvariabledefinitions(${def.environmentvariabledefinitionid})` });
    if (r.status !== 204) throw new Error(`setting ${schemaName} answered ${r.status}: ${JSON.stringify(r.json)}`);
  };
  // What the README tells the admin to set (the defaults of the others stand; here the Power Platform is local).
  const values: Record<string, string> = {
    [CONNECTION_VARIABLES.entraClientId]: WIZARD_APP_ID,
    [CONNECTION_VARIABLES.entraTenantId]: dv.tenantId,
    [CONNECTION_VARIABLES.powerAppsApiUrl]: runtime.connectionsUrl,
    [CONNECTION_VARIABLES.connectorRuntimeHost]: new URL(runtime.runtimeUrl).hostname,
    [CONNECTION_VARIABLES.actionstepClientId]: emu.actionstep.clientId,
  };
  for (const [name, value] of Object.entries(values)) if (!o.unset?.includes(name)) await setVariable(name, value);

  // The admin creates the run in the app.
  await webApi(emu, 'POST', 'astep_migrationruns', { astep_name: 'Move the firm', astep_runid: o.runId });
  const rowId: string = (await webApi(emu, 'GET', `astep_migrationruns?$select=astep_migrationrunid&$filter=astep_runid eq '${o.runId}'`)).json.value[0].astep_migrationrunid;
  const roles = [{ id: ROLE_ID, name: ROLE_NAME }, { id: '00000000-0000-4000-8000-00000000b0a1', name: 'Basic User' }];
  const formUrl = `${dv.url}${HOST_PATHS.page}?pagetype=entityrecord&etn=astep_migrationrun&id=${rowId}&roles=${encodeURIComponent(JSON.stringify(roles))}`;

  const hostJs = await build({ entryPoints: [path.join(__dirname, '../browser/host/wizardHostPage.ts')], bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent' });
  const page = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Migration Run: Move the firm - Dynamics 365</title></head>' +
    '<body style="margin:0;font-family:Segoe UI,sans-serif"><div id="notifications" role="status" style="padding:4px 8px;background:#f3f2f1;min-height:20px"></div>' +
    '<div id="progress" role="status" style="display:none;padding:4px 8px;background:#fff4ce"></div>' +
    '<div id="host" style="box-sizing:border-box;width:100%;height:900px;padding:8px"></div>' +
    `<script src="${HOST_PATHS.bundle}"></script><script src="${HOST_PATHS.commands}"></script><script src="${HOST_PATHS.host}"></script></body></html>`;
  const files: Record<string, [string, () => string | Buffer]> = {
    [HOST_PATHS.page]: ['text/html', () => page],
    [HOST_PATHS.bundle]: ['text/javascript', () => readFileSync(path.join(WIZARD_OUT, 'bundle.js'))],
    [HOST_PATHS.commands]: ['text/javascript', () => readFileSync(COMMANDS)],
    [HOST_PATHS.host]: ['text/javascript', () => hostJs.outputFiles[0].text],
    [HOST_PATHS.resx]: ['text/xml', () => readFileSync(path.join(WIZARD_OUT, 'strings/MappingWizard.1033.resx'))],
  };

  return {
    emu, entra, runtime, admin, apiName, runId: o.runId, rowId, formUrl, setVariable,
    async newContext(browser) {
      const context = await browser.newContext({ viewport: { width: 1320, height: 1000 } });
      await entra.install(context);
      // The form page and the control's files, which the org serves in a real app: routed on the org's origin.
      await context.route((url) => url.origin === dv.url && url.pathname in files, (route) => {
        const [type, body] = files[new URL(route.request().url()).pathname];
        return route.fulfill({ status: 200, headers: { 'content-type': type }, body: body() });
      });
      const cookie = dv.browserSession(admin.upn);
      await context.addCookies([{ name: cookie.name, value: cookie.value, url: dv.url, httpOnly: true, sameSite: 'Lax' }]);
      return context;
    },
    async close() {
      await runtime.close();
      await emu.close();
    },
  };
}

/** Opens the form and waits until the host page has created the control. */
export async function openForm(page: Page, org: DynamicsOrg): Promise<void> {
  await page.goto(org.formUrl);
  await page.waitForFunction(() => {
    const w = window as unknown as { __ready?: boolean; __error?: string };
    return w.__ready || !!w.__error;
  });
  const error = await page.evaluate(() => (window as unknown as { __error?: string }).__error ?? null);
  if (error) throw new Error(`the form stand-in failed: ${error}`);
}
