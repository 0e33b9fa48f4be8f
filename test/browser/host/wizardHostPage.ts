/// <reference types="powerapps-component-framework" />
/// <reference types="xrm" />
// Host page standing in for the Migration Run form of a model-driven app, served on the org's own origin (the
// Dataverse emulator's): the built Mapping Wizard bundle with the PCF context a form gives a control (bound columns
// from the row, the user's settings, context.webAPI), a global Xrm (user settings with the user's roles, the Web
// API, dialogs) for the command-bar script, and the form's save of the control's outputs. Every call goes to the
// org on the same origin with the browser's session cookie: the page holds no token, and gives the control no
// setting (the control reads its own from the solution's environment variables).
import type { IInputs, IOutputs } from '@astep/pcf-mappingwizard/generated/ManifestTypes';
import { HOST_PATHS } from './hostPaths';
import { xrmWebApiStandIn, type WebApiCall } from './xrmWebApi';

type Control = ComponentFramework.StandardControl<IInputs, IOutputs>;
type ControlClass = (new () => Control) & Record<string, unknown>;

export interface HostCalls {
  alerts: Array<{ title?: string; text?: string }>;
  confirms: string[];
  errors: string[];
  notifications: Array<{ message: string; level: string }>;
  progress: string[];
  outputs: IOutputs[];
  saves: number;
  webApi: WebApiCall[];
}

export interface WizardHostWindow {
  Astep?: { MappingWizard?: ControlClass; MigrationRun?: { rollback(f: unknown): Promise<void>; startRun(f: unknown): Promise<void> } };
  __ready: boolean;
  __error?: string;
  __calls: HostCalls;
  __form: unknown;
}


interface FormValues { runId: string | null; wizardState: string | null; mappingJson: string | null }

function text(raw: string | null, type: string): ComponentFramework.PropertyTypes.StringProperty {
  return { raw, formatted: raw ?? '', error: false, errorMessage: '', type, attributes: undefined } as ComponentFramework.PropertyTypes.StringProperty;
}

function collection<T>(items: T[]) {
  return { get: (i?: number) => (i === undefined ? items : items[i]), getLength: () => items.length, forEach: (fn: (x: T, i: number) => void) => items.forEach(fn) };
}

async function main(): Promise<void> {
  const w = window as unknown as WizardHostWindow;
  w.__ready = false;
  const calls: HostCalls = { alerts: [], confirms: [], errors: [], notifications: [], progress: [], outputs: [], saves: 0, webApi: [] };
  w.__calls = calls;
  try {
    const params = new URLSearchParams(location.search);
    const rowId = params.get('id') ?? '';
    // The platform's page knows the user's roles (ids and names); the session cookie says who the user is.
    const roles = JSON.parse(params.get('roles') ?? '[]') as Array<{ id: string; name: string }>;
    const webApi = xrmWebApiStandIn(location.origin, calls.webApi);
    const resx = await fetch(HOST_PATHS.resx).then((r) => r.text());
    const strings = new Map<string, string>();
    for (const d of Array.from(new DOMParser().parseFromString(resx, 'text/xml').getElementsByTagName('data'))) {
      strings.set(d.getAttribute('name') ?? '', d.getElementsByTagName('value')[0]?.textContent ?? '');
    }
    const who = await fetch('/api/data/v9.2/WhoAmI', { credentials: 'same-origin', headers: { accept: 'application/json' } }).then((r) => r.json() as Promise<{ UserId: string }>);
    const me = await webApi.retrieveRecord('systemuser', who.UserId, '?$select=fullname');

    const values: FormValues = { runId: null, wizardState: null, mappingJson: null };
    const loadRow = async () => {
      const row = await webApi.retrieveRecord('astep_migrationrun', rowId, '?$select=astep_runid,astep_wizardstate,astep_mappingjson');
      values.runId = row.astep_runid ?? null;
      values.wizardState = row.astep_wizardstate ?? null;
      values.mappingJson = row.astep_mappingjson ?? null;
    };
    await loadRow();

    const progressBox = document.getElementById('progress') as HTMLDivElement;
    const userSettings = {
      userId: `{${who.UserId.toUpperCase()}}`,
      userName: String(me.fullname ?? ''),
      roles: collection(roles.map((r) => ({ id: r.id, name: r.name, entityType: 'role' }))),
      // Only the roles above: the privileges the user holds through them are not listed (harsher than the platform).
      getSecurityRolePrivilegesInfo: async () => ({}),
    };
    const xrm = {
      Utility: {
        getGlobalContext: () => ({ userSettings, getClientUrl: () => location.origin }),
        showProgressIndicator: (m: string) => { calls.progress.push(m); progressBox.textContent = m; progressBox.style.display = 'block'; },
        closeProgressIndicator: () => { progressBox.style.display = 'none'; },
      },
      Navigation: {
        openConfirmDialog: async (s: { text?: string }) => (calls.confirms.push(s.text ?? ''), { confirmed: true }),
        openAlertDialog: async (a: { title?: string; text?: string }) => { calls.alerts.push(a); },
        openErrorDialog: async (e: { message?: string }) => { calls.errors.push(e.message ?? ''); },
        navigateTo: async () => undefined,
      },
      WebApi: webApi,
    };
    (window as unknown as { Xrm: unknown }).Xrm = xrm;

    const Ctor = w.Astep?.MappingWizard;
    if (!Ctor) throw new Error('the wizard bundle did not define Astep.MappingWizard');
    // Nothing may be handed to the control outside its context: a configure() hook would be a way in.
    if ('configure' in Ctor) throw new Error('Astep.MappingWizard has a configure() hook: the wizard must take nothing from its host page');

    const container = document.getElementById('host') as HTMLDivElement;
    const context = (): ComponentFramework.Context<IInputs> => ({
      parameters: {
        mappingJson: text(values.mappingJson, 'Multiple'),
        wizardState: text(values.wizardState, 'Multiple'),
        runId: text(values.runId, 'SingleLine.Text'),
      },
      resources: { getString: (id: string) => strings.get(id) ?? '', getResource: () => { throw new Error('getResource is not mocked'); } },
      mode: {
        allocatedHeight: container.clientHeight, allocatedWidth: container.clientWidth, isControlDisabled: false, isVisible: true,
        label: 'Mapping Wizard', setControlState: () => true, setFullScreen: () => undefined, trackContainerResize: () => undefined,
      },
      userSettings: { userName: userSettings.userName, userId: userSettings.userId, securityRoles: roles.map((r) => r.id) },
      webAPI: webApi,
    } as unknown as ComponentFramework.Context<IInputs>);

    const control = new Ctor();
    // Like the platform: outputs are read later, set on the form (which saves them), then every control updates.
    const notifyOutputChanged = () => setTimeout(async () => {
      const out = control.getOutputs ? control.getOutputs() : {};
      calls.outputs.push(out);
      const patch: Record<string, unknown> = {};
      if (out.wizardState !== undefined) { values.wizardState = out.wizardState ?? null; patch.astep_wizardstate = values.wizardState; }
      if (out.mappingJson !== undefined) { values.mappingJson = out.mappingJson ?? null; patch.astep_mappingjson = values.mappingJson; }
      if (Object.keys(patch).length) {
        await webApi.updateRecord('astep_migrationrun', rowId, patch);
        calls.saves++;
      }
      control.updateView(context());
    }, 0);

    const notes = document.getElementById('notifications') as HTMLDivElement;
    w.__form = {
      data: {
        entity: { getId: () => `{${rowId}}`, getIsDirty: () => false },
        refresh: async () => { await loadRow(); control.updateView(context()); },
      },
      ui: {
        setFormNotification: (message: string, level: string) => { calls.notifications.push({ message, level }); notes.textContent = `${level}: ${message}`; return true; },
        tabs: { get: () => ({ setFocus: () => undefined }) },
      },
      getAttribute: (name: string) => ({ getValue: () => (name === 'astep_runid' ? values.runId : null) }),
    };
    control.init(context(), notifyOutputChanged, {}, container);
    control.updateView(context());
    w.__ready = true;
  } catch (e) {
    w.__error = String(e instanceof Error ? e.stack ?? e.message : e);
  }
}

void main();
