import { provisionSchema, startWithSchema, waitForKeys, type Api } from './helpers';

let api: Api;
const idOf = (h: Headers) => /\(([^)]+)\)$/.exec(h.get('odata-entityid') ?? '')![1];
beforeAll(async () => {
  api = await startWithSchema({
    maxUploadFileSize: 1000,
    systemUsers: [
      { fullname: 'Ann Active', email: 'ann@firm.example', isDisabled: false },
      { fullname: 'Dan Disabled', email: 'dan@firm.example', isDisabled: true },
    ],
  });
  await provisionSchema(api);
  for (const t of ['account', 'contact', 'opportunity', 'task']) await waitForKeys(api, t);
});
afterAll(async () => api.emu.close());

describe('column rules', () => {
  test('max length → 0x80044331 naming the attribute and table', async () => {
    const r = await api.call('POST', 'tasks', { subject: 's'.repeat(201) });
    expect(r.json.error).toEqual({ code: '0x80044331', message: "A validation error occurred. The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'." });
    expect((await api.call('POST', 'tasks', { subject: 's'.repeat(200) })).status).toBe(204);
    const n = await api.call('POST', 'annotations', { notetext: 'n'.repeat(100001) });
    expect(n.json.error.message).toContain("'notetext' attribute of the 'annotation' entity exceeded the maximum allowed length of '100000'");
    const c = await api.call('POST', 'contacts', { lastname: 'l', firstname: 'f'.repeat(51) });
    expect(c.json.error.code).toBe('0x80044331');
  });

  test('required columns on create', async () => {
    const r = await api.call('POST', 'contacts', { firstname: 'No last name' });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('0x80044331');
    expect(r.json.error.message).toContain("'lastname'");
    expect((await api.call('POST', 'astep_matters', { astep_sourceid: 'no-name' })).json.error.message).toContain("'astep_name'");
  });

  test('choices must exist; multi-select is "1,2"; wrong types are rejected', async () => {
    const bad = await api.call('POST', 'accounts', { name: 'x', industrycode: 999 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("The value 999 of 'industrycode' on record of type 'account' is outside the valid range");
    const ok = await api.call('POST', 'contacts?$select=astep_participantroles', { lastname: 'Roles', astep_participantroles: '615200000,615200001' }, { Prefer: 'return=representation,odata.include-annotations="*"' });
    expect(ok.json.astep_participantroles).toBe('615200000,615200001');
    expect(ok.json['astep_participantroles@OData.Community.Display.V1.FormattedValue']).toBe('Client; Lawyer');
    const badMulti = await api.call('POST', 'contacts', { lastname: 'Roles', astep_participantroles: '615200000,42' });
    expect(badMulti.status).toBe(400);
    const typ = await api.call('POST', 'accounts', { name: 123 });
    expect(typ.json.error.code).toBe('0x80048d19');
  });

  test('money is rounded to the column precision; out-of-range numbers are rejected', async () => {
    const r = await api.call('POST', 'accounts?$select=astep_trustbalance,astep_trustbalance_base', { name: 'Money', astep_trustbalance: 10.555 }, { Prefer: 'return=representation' });
    expect(r.json.astep_trustbalance).toBe(10.56);
    expect(r.json._transactioncurrencyid_value).toBeUndefined();
    const full = await api.call('GET', `accounts(${r.json.accountid})?$select=_transactioncurrencyid_value`);
    expect(full.json._transactioncurrencyid_value).toMatch(/^[0-9a-f-]{36}$/);
    const range = await api.call('POST', 'opportunities', { name: 'o', closeprobability: 101 });
    expect(range.status).toBe(400);
    expect(range.json.error.message).toContain("'closeprobability'");
  });

  test('overriddencreatedon sets createdon on create', async () => {
    const r = await api.call('POST', 'annotations?$select=createdon,overriddencreatedon', { subject: 'Old note', overriddencreatedon: '2015-03-04T05:06:07Z' }, { Prefer: 'return=representation' });
    expect(r.json.createdon).toBe('2015-03-04T05:06:07Z');
    expect(r.json.overriddencreatedon).not.toBe('2015-03-04T05:06:07Z');
  });
});

describe('owners and users', () => {
  const user = async (email: string) => (await api.call('GET', `systemusers?$select=systemuserid,isdisabled,azureactivedirectoryobjectid&$filter=${encodeURIComponent(`internalemailaddress eq '${email}'`)}`)).json.value[0];

  test('ownerid binds to systemusers or teams; a disabled user is refused (harsher choice, reference §5)', async () => {
    const ann = await user('ann@firm.example');
    const dan = await user('dan@firm.example');
    expect(dan.isdisabled).toBe(true);
    const a = await api.call('POST', 'accounts?$select=_ownerid_value,_owninguser_value', { name: 'Owned', 'ownerid@odata.bind': `/systemusers(${ann.systemuserid})` }, { Prefer: 'return=representation,odata.include-annotations="*"' });
    expect(a.json._ownerid_value).toBe(ann.systemuserid);
    expect(a.json['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('systemuser');
    const team = (await api.call('GET', 'teams?$select=teamid')).json.value[0].teamid;
    const t = await api.call('POST', 'accounts?$select=_ownerid_value,_owningteam_value', { name: 'Team owned', 'ownerid@odata.bind': `/teams(${team})` }, { Prefer: 'return=representation' });
    expect(t.json._owningteam_value).toBe(team);
    const d = await api.call('POST', 'accounts', { name: 'x', 'ownerid@odata.bind': `/systemusers(${dan.systemuserid})` });
    expect(d.status).toBe(400);
    expect(d.json.error.message).toContain('is disabled. Disabled users cannot access the system.');
    const wrong = await api.call('POST', 'accounts', { name: 'x', 'ownerid@odata.bind': `/accounts(${a.json.accountid})` });
    expect(wrong.status).toBe(400);
  });

  test('impersonation: CallerObjectId of an enabled user sets createdby; of a disabled user fails', async () => {
    const ann = await user('ann@firm.example');
    const dan = await user('dan@firm.example');
    const r = await api.call('POST', 'accounts?$select=_createdby_value,_createdonbehalfby_value,_ownerid_value', { name: 'As Ann' }, { CallerObjectId: ann.azureactivedirectoryobjectid, Prefer: 'return=representation' });
    expect(r.json._createdby_value).toBe(ann.systemuserid);
    expect(r.json._ownerid_value).toBe(ann.systemuserid);
    expect(r.json._createdonbehalfby_value).toBe(api.emu.applicationUserId('51f81489-12ee-4a9e-aaae-a2591f45987d'));
    const d = await api.call('POST', 'accounts', { name: 'As Dan' }, { MSCRMCallerID: dan.systemuserid });
    expect(d.status).toBe(400);
    expect(d.json.error.message).toBe(`The user with SystemUserId=${dan.systemuserid} in OrganizationContext=${(await api.call('GET', 'WhoAmI')).json.OrganizationId} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license assigned to them.`);
  });
});

describe('opportunity close', () => {
  test('WinOpportunity creates a completed opportunityclose and sets state, status, close date and actual value', async () => {
    const o = idOf((await api.call('POST', 'opportunities', { name: 'Win me', estimatedvalue: 500 })).headers);
    const r = await api.call('POST', 'WinOpportunity', { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${o})`, actualrevenue: 1000, actualend: '2024-05-01' } });
    expect(r.status).toBe(204);
    const g = await api.call('GET', `opportunities(${o})?$select=statecode,statuscode,actualclosedate,actualvalue`);
    expect(g.json).toMatchObject({ statecode: 1, statuscode: 3, actualclosedate: '2024-05-01', actualvalue: 1000 });
    const closes = await api.call('GET', `opportunitycloses?$select=statecode,actualrevenue&$filter=_opportunityid_value eq ${o}`);
    expect(closes.json.value).toEqual([expect.objectContaining({ statecode: 1, actualrevenue: 1000 })]);
    const edit = await api.call('PATCH', `opportunities(${o})`, { name: 'changed' });
    expect(edit.status).toBe(400);
    const reopen = await api.call('PATCH', `opportunities(${o})`, { statecode: 0, statuscode: 1 });
    expect(reopen.status).toBe(204);
    expect((await api.call('GET', `opportunitycloses?$select=statecode&$filter=_opportunityid_value eq ${o}`)).json.value[0].statecode).toBe(2);
  });

  test('LoseOpportunity; patching statecode to Won/Lost fails with 0x80100005', async () => {
    const o = idOf((await api.call('POST', 'opportunities', { name: 'Lose me' })).headers);
    const p = await api.call('PATCH', `opportunities(${o})`, { statecode: 1, statuscode: 3 });
    expect(p.json.error).toEqual({ code: '0x80100005', message: 'This message can not be used to set the state of opportunity to Won. In order to set state of opportunity to Won, use the Win message instead.' });
    const lost = await api.call('PATCH', `opportunities(${o})`, { statuscode: 5 });
    expect(lost.json.error.code).toBe('0x80100005');
    const badStatus = await api.call('POST', 'LoseOpportunity', { Status: 3, OpportunityClose: { 'opportunityid@odata.bind': `/opportunities(${o})` } });
    expect(badStatus.status).toBe(400);
    expect((await api.call('POST', 'LoseOpportunity', { Status: 5, OpportunityClose: { subject: 'Lost', 'opportunityid@odata.bind': `/opportunities(${o})` } })).status).toBe(204);
    expect((await api.call('GET', `opportunities(${o})?$select=statecode,statuscode`)).json).toMatchObject({ statecode: 2, statuscode: 5 });
  });
});

describe('task state and status', () => {
  test('pairs are validated; closed tasks are read-only until re-opened', async () => {
    const t = idOf((await api.call('POST', 'tasks', { subject: 'Do it' })).headers);
    expect((await api.call('GET', `tasks(${t})?$select=statecode,statuscode`)).json).toMatchObject({ statecode: 0, statuscode: 2 });
    const bad = await api.call('PATCH', `tasks(${t})`, { statecode: 1, statuscode: 3 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('3 is not a valid status code for state code');
    expect((await api.call('PATCH', `tasks(${t})`, { statecode: 1, statuscode: 5 })).status).toBe(204);
    const edit = await api.call('PATCH', `tasks(${t})`, { subject: 'changed' });
    expect(edit.status).toBe(400);
    expect(edit.json.error.message).toContain('closed or canceled');
    expect((await api.call('PATCH', `tasks(${t})`, { statecode: 0, statuscode: 3, subject: 'reopened' })).status).toBe(204);
    expect((await api.call('GET', `tasks(${t})?$select=subject,statecode`)).json).toMatchObject({ subject: 'reopened', statecode: 0 });
  });
});

describe('notes', () => {
  test('documentbody base64 longer than maxuploadfilesize → 0x80044a02; organization exposes the limit', async () => {
    const org = await api.call('GET', 'organizations?$select=maxuploadfilesize');
    expect(org.json.value[0].maxuploadfilesize).toBe(1000);
    const ok = await api.call('POST', 'annotations?$select=filesize,isdocument', { subject: 'small', filename: 'a.txt', mimetype: 'text/plain', documentbody: Buffer.from('hello').toString('base64') }, { Prefer: 'return=representation' });
    expect(ok.json).toMatchObject({ filesize: 5, isdocument: true });
    const big = await api.call('POST', 'annotations', { subject: 'big', filename: 'b.bin', documentbody: 'A'.repeat(1004) });
    expect(big.json.error).toEqual({ code: '0x80044a02', message: 'Attachment file size is too big.' });
  });
});

describe('text values', () => {
  test('control characters other than tab and line breaks are refused, naming the column and the character', async () => {
    const bad = await api.call('POST', 'accounts', { name: 'Bell\u001b[31m' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("A validation error occurred. The value of 'name' of the 'account' entity contains '0x1B', hexadecimal value 0x1B, is an invalid character.");
    expect((await api.call('POST', 'accounts', { name: 'Tab\tand\r\nbreaks' })).status).toBe(204);
  });
});

describe('delete cascades', () => {
  test('parental relationships cascade, referential ones remove the link, custom relationships follow their configuration', async () => {
    const acc = idOf((await api.call('POST', 'accounts', { name: 'Cascade root' })).headers);
    const contact = idOf((await api.call('POST', 'contacts', { lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${acc})` })).headers);
    const other = idOf((await api.call('POST', 'contacts', { lastname: 'Unrelated' })).headers);
    await api.call('PATCH', `accounts(${acc})`, { 'primarycontactid@odata.bind': `/contacts(${other})` });
    const task = idOf((await api.call('POST', 'tasks', { subject: 'About root', 'regardingobjectid_account_task@odata.bind': `/accounts(${acc})` })).headers);
    const opportunity = idOf((await api.call('POST', 'opportunities', { name: 'Deal', 'customerid_account@odata.bind': `/accounts(${acc})` })).headers);
    const note = idOf((await api.call('POST', 'annotations', { subject: 'On root', 'objectid_account@odata.bind': `/accounts(${acc})` })).headers);
    const matter = idOf((await api.call('POST', 'astep_matters', { astep_name: 'Matter', 'astep_AccountId@odata.bind': `/accounts(${acc})` })).headers);
    const part = idOf((await api.call('POST', 'astep_matterparticipants', { astep_name: 'P', 'astep_MatterId@odata.bind': `/astep_matters(${matter})` })).headers);

    expect((await api.call('DELETE', `contacts(${other})`)).status).toBe(204);
    expect((await api.call('GET', `accounts(${acc})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBeNull();

    expect((await api.call('DELETE', `accounts(${acc})`)).status).toBe(204);
    expect((await api.call('GET', `contacts(${contact})`)).status).toBe(404);
    expect((await api.call('GET', `tasks(${task})`)).status).toBe(404);
    expect((await api.call('GET', `opportunities(${opportunity})`)).status).toBe(404);
    expect((await api.call('GET', `annotations(${note})`)).status).toBe(404);
    const m = await api.call('GET', `astep_matters(${matter})?$select=_astep_accountid_value`);
    expect(m.status).toBe(200);
    expect(m.json._astep_accountid_value).toBeNull();
    expect((await api.call('DELETE', `astep_matters(${matter})`)).status).toBe(204);
    expect((await api.call('GET', `astep_matterparticipants(${part})`)).status).toBe(404);
  });
});
