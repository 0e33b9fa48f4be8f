import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as vm from 'node:vm';
import { XrmMockGenerator } from 'xrm-mock';
import * as ContactForm from '../src/forms/contactForm';
import * as AccountForm from '../src/forms/accountForm';
import { MAX_PAGES } from '../src/shared/retrieveAll';

const CONTACT_ID = '{6F1D2A4B-0000-4000-8000-00000000AA01}';
const FV = '@OData.Community.Display.V1.FormattedValue';

interface Notification { message: string; level: string; uniqueId: string }
const notifications = (): Notification[] => (XrmMockGenerator.formContext.ui as unknown as { formNotifications?: Notification[] }).formNotifications ?? [];

function formFor(entityName: string, id: string): Xrm.Events.EventContext {
  XrmMockGenerator.initialise({ entity: { entityName, id } });
  return XrmMockGenerator.getEventContext();
}

type Retrieve = (entity: string, options?: string, maxPageSize?: number) => Promise<Xrm.RetrieveMultipleResult>;
function stubRetrieve(impl: Retrieve): jest.SpyInstance {
  return jest.spyOn(Xrm.WebApi, 'retrieveMultipleRecords').mockImplementation(impl as never);
}

afterEach(() => jest.restoreAllMocks());

describe('Contact form: roles across matters', () => {
  const role = (r: string, matter: string) => ({ astep_role: 1, [`astep_role${FV}`]: r, _astep_matterid_value: matter.toLowerCase(), [`_astep_matterid_value${FV}`]: matter });

  test('queries the contact\'s participant rows and shows the roles as one text notification', async () => {
    const ctx = formFor('contact', CONTACT_ID);
    const spy = stubRetrieve(async () => ({ entities: [role('Client', 'LIT-0001'), role('Client', 'CON-0002'), role('Witness', 'FAM-0003')], nextLink: undefined } as unknown as Xrm.RetrieveMultipleResult));
    await ContactForm.onLoad(ctx);
    expect(spy).toHaveBeenCalledTimes(1);
    const [entity, options] = spy.mock.calls[0];
    expect(entity).toBe('astep_matterparticipant');
    expect(options).toContain('$filter=_astep_contactid_value eq 6f1d2a4b-0000-4000-8000-00000000aa01');
    expect(notifications()).toEqual([{
      message: 'Actionstep roles: Client on 2 matters (LIT-0001, CON-0002); Witness on 1 matter (FAM-0003).',
      level: 'INFO', uniqueId: ContactForm.NOTIFICATION_ID,
    }]);
  });

  test('follows nextLink pages and replaces an earlier notification', async () => {
    const ctx = formFor('contact', CONTACT_ID);
    XrmMockGenerator.formContext.ui.setFormNotification('stale', 'INFO', ContactForm.NOTIFICATION_ID);
    const spy = stubRetrieve(async (_e, options) => (options?.includes('skiptoken')
      ? { entities: [role('Executor', 'WIL-0009')] }
      : { entities: [role('Client', 'LIT-0001')], nextLink: 'https://org.example/api/data/v9.2/astep_matterparticipants?$select=x&$skiptoken=abc' }) as unknown as Xrm.RetrieveMultipleResult);
    await ContactForm.onLoad(ctx);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[1][1]).toBe('?$select=x&$skiptoken=abc');
    expect(notifications().map((n) => n.message)).toEqual(['Actionstep roles: Client on 1 matter (LIT-0001); Executor on 1 matter (WIL-0009).']);
  });

  test('markup in a matter name stays literal text in the notification', () => {
    expect(ContactForm.summarizeRoles([role('Client', '<img src=x onerror=alert(1)>')])).toBe('Client on 1 matter (<img src=x onerror=alert(1)>)');
  });

  test('long lists end with "and N more"', () => {
    const rows = Array.from({ length: 12 }, (_, i) => role('Client', `M-${i}`));
    expect(ContactForm.summarizeRoles(rows)).toBe('Client on 12 matters (M-0, M-1, M-2, M-3, M-4, M-5, M-6, M-7, and 4 more)');
  });

  test('a failed query is a warning naming the error; a new contact queries nothing', async () => {
    const ctx = formFor('contact', CONTACT_ID);
    stubRetrieve(async () => { throw Object.assign(new Error('Principal user is missing prvReadastep_matterparticipant privilege'), { errorCode: -2147220960 }); });
    await ContactForm.onLoad(ctx);
    expect(notifications()).toEqual([{ message: 'Actionstep roles could not be loaded: Principal user is missing prvReadastep_matterparticipant privilege', level: 'WARNING', uniqueId: ContactForm.NOTIFICATION_ID }]);

    const fresh = formFor('contact', CONTACT_ID);
    // On a create form the platform reports an empty id.
    jest.spyOn(XrmMockGenerator.formContext.data.entity, 'getId').mockReturnValue('');
    const spy = stubRetrieve(async () => ({ entities: [] } as unknown as Xrm.RetrieveMultipleResult));
    await ContactForm.onLoad(fresh);
    expect(spy).not.toHaveBeenCalled();
    expect(notifications()).toEqual([]);
  });

  test('a runaway query stops after MAX_PAGES and says the list is partial', async () => {
    const ctx = formFor('contact', CONTACT_ID);
    const spy = stubRetrieve(async () => ({ entities: [role('Client', 'LIT-0001')], nextLink: 'https://org.example/x?$skiptoken=again' } as unknown as Xrm.RetrieveMultipleResult));
    await ContactForm.onLoad(ctx);
    expect(spy).toHaveBeenCalledTimes(MAX_PAGES);
    expect(notifications()[0].message).toBe('Actionstep roles: Client on 1 matter (LIT-0001) (first rows only).');
  });
});

describe('Account form: matter summary', () => {
  const ACCOUNT_ID = '{0A0B0C0D-1111-4222-8333-444455556666}';

  test('count of matters with the account\'s own billed and trust figures', async () => {
    const ctx = formFor('account', ACCOUNT_ID);
    XrmMockGenerator.Attribute.createNumber('astep_totalbilled', 12345.5);
    XrmMockGenerator.Attribute.createNumber('astep_trustbalance', 1000);
    const spy = stubRetrieve(async () => ({ entities: [
      { astep_totalbilled: 10000, astep_trustbalance: 600, statecode: 0 },
      { astep_totalbilled: 2345.5, astep_trustbalance: 400, statecode: 1 },
    ] } as unknown as Xrm.RetrieveMultipleResult));
    await AccountForm.onLoad(ctx);
    expect(spy.mock.calls[0][0]).toBe('astep_matter');
    expect(spy.mock.calls[0][1]).toContain('$filter=_astep_accountid_value eq 0a0b0c0d-1111-4222-8333-444455556666');
    expect(notifications()).toEqual([{ message: 'Actionstep: 2 matters (1 active); total billed 12,345.50; trust balance 1,000.00.', level: 'INFO', uniqueId: AccountForm.NOTIFICATION_ID }]);
  });

  test('without account figures the matters are summed', () => {
    const s = AccountForm.summarizeMatters({ totalBilled: null, trustBalance: undefined }, [
      { astep_totalbilled: 100.25, astep_trustbalance: 50, statecode: 0 }, { astep_totalbilled: null, astep_trustbalance: 25.5, statecode: 0 },
    ]);
    expect(s).toEqual({ matters: 2, active: 2, totalBilled: 100.25, trustBalance: 75.5, source: 'matters' });
    expect(AccountForm.summaryText(s)).toBe('Actionstep: 2 matters (2 active); total billed 100.25; trust balance 75.50.');
  });
});

describe('built web resources', () => {
  const out = path.join(__dirname, '..', 'dist', 'webresources');
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(__dirname, '..', 'build.mjs')], { stdio: 'pipe' });
  });

  test('webresources.json lists each script for the solution packer', () => {
    const list = JSON.parse(readFileSync(path.join(out, 'webresources.json'), 'utf8'));
    expect(list).toEqual([
      { name: 'astep_/js/ContactForm.js', displayName: 'Contact Form (Actionstep)', type: 'JScript', file: 'js/ContactForm.js' },
      { name: 'astep_/js/AccountForm.js', displayName: 'Account Form (Actionstep)', type: 'JScript', file: 'js/AccountForm.js' },
      { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', type: 'JScript', file: 'js/MigrationRunCommands.js' },
      { name: 'astep_/js/SignInRedirect.js', displayName: 'Mapping Wizard sign-in (script)', type: 'JScript', file: 'js/SignInRedirect.js' },
      { name: 'astep_/html/SignInRedirect.html', displayName: 'Mapping Wizard sign-in', type: 'Webpage (HTML)', file: 'html/SignInRedirect.html' },
      { name: 'astep_/html/ConnectionSignedIn.html', displayName: 'Actionstep connection signed in', type: 'Webpage (HTML)', file: 'html/ConnectionSignedIn.html' },
    ]);
    // The sign-in page loads its script by a path relative to itself, as the org serves both under /WebResources/.
    expect(readFileSync(path.join(out, 'html/SignInRedirect.html'), 'utf8')).toContain('<script src="../js/SignInRedirect.js"></script>');
  });

  test('the bundles share one Astep namespace and need no global but Xrm', async () => {
    const notes: string[] = [];
    const sandbox: Record<string, unknown> = {
      Xrm: { WebApi: { retrieveMultipleRecords: async () => ({ entities: [] }) } },
    };
    vm.createContext(sandbox);
    vm.runInContext(readFileSync(path.join(out, 'js/AccountForm.js'), 'utf8'), sandbox);
    vm.runInContext(readFileSync(path.join(out, 'js/ContactForm.js'), 'utf8'), sandbox);
    vm.runInContext(readFileSync(path.join(out, 'js/MigrationRunCommands.js'), 'utf8'), sandbox);
    const astep = sandbox.Astep as { ContactForm: typeof ContactForm; AccountForm: typeof AccountForm; MigrationRun: { rollback: unknown } };
    expect(typeof astep.MigrationRun.rollback).toBe('function'); // the ribbon's Astep.MigrationRun.rollback
    expect(typeof astep.AccountForm.onLoad).toBe('function');
    expect(typeof astep.ContactForm.onLoad).toBe('function');
    const ui = { clearFormNotification: () => true, setFormNotification: (m: string) => { notes.push(m); return true; } };
    const formContext = { data: { entity: { getId: () => CONTACT_ID } }, ui };
    await astep.ContactForm.onLoad({ getFormContext: () => formContext } as unknown as Xrm.Events.EventContext);
    expect(notes).toEqual(['Actionstep: no matter roles for this contact.']);
  });
});
