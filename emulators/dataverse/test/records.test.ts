/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
import { provisionSchema, startWithSchema, waitForKeys, type Api } from './helpers';

let api: Api;
beforeAll(async () => {
  api = await startWithSchema();
  await provisionSchema(api);
  for (const t of ['account', 'contact', 'opportunity', 'task', 'astep_matter']) await waitForKeys(api, t);
});
afterAll(async () => api.emu.close());

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const idOf = (h: Headers) => /\(([^)]+)\)$/.exec(h.get('odata-entityid') ?? '')![1];

describe('create / retrieve / update / delete', () => {
  test('POST answers 204 with OData-EntityId; return=representation answers 201 with the selected columns', async () => {
    const r = await api.call('POST', 'accounts', { name: 'Contoso' });
    expect(r.status).toBe(204);
    expect(idOf(r.headers)).toMatch(GUID);
    const rep = await api.call('POST', 'accounts?$select=name,accountid', { name: 'Fabrikam' }, { Prefer: 'return=representation' });
    expect(rep.status).toBe(201);
    expect(rep.json.name).toBe('Fabrikam');
    expect(rep.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(rep.headers.get('preference-applied')).toBe('return=representation');
  });

  test('client-supplied primary key is kept; a second create with it fails 0x80040237', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect((await api.call('POST', 'accounts', { accountid: id, name: 'Own id' })).status).toBe(204);
    const g = await api.call('GET', `accounts(${id})?$select=name`);
    expect(g.json.name).toBe('Own id');
    const again = await api.call('POST', 'accounts', { accountid: id, name: 'dup' });
    expect(again.json.error.code).toBe('0x80040237');
  });

  test('PATCH updates, DELETE removes, GET of a missing id is 404 0x80040217', async () => {
    const r = await api.call('POST', 'accounts', { name: 'To change' });
    const id = idOf(r.headers);
    expect((await api.call('PATCH', `accounts(${id})`, { telephone1: '555' }, { 'If-Match': '*' })).status).toBe(204);
    expect((await api.call('GET', `accounts(${id})?$select=telephone1`)).json.telephone1).toBe('555');
    expect((await api.call('DELETE', `accounts(${id})`)).status).toBe(204);
    const g = await api.call('GET', `accounts(${id})`);
    expect(g.status).toBe(404);
    expect(g.json.error).toEqual({ code: '0x80040217', message: `account With Id = ${id} Does Not Exist` });
  });

  test('unknown properties give the platform messages (case-sensitive)', async () => {
    const w = await api.call('POST', 'accounts', { Name: 'x' });
    expect(w.status).toBe(400);
    expect(w.json.error.code).toBe('0x0');
    expect(w.json.error.message).toContain("Invalid property 'Name' was found in entity 'Microsoft.Dynamics.CRM.account'");
    const s = await api.call('GET', 'accounts?$select=Name');
    expect(s.json.error).toEqual({ code: '0x0', message: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'." });
    const seg = await api.call('GET', 'Account');
    expect(seg.status).toBe(404);
    expect(seg.json.error).toEqual({ code: '0x8006088a', message: "Resource not found for the segment 'Account'." });
  });

  test('etag concurrency: stale If-Match → 412 0x80060882', async () => {
    const r = await api.call('POST', 'accounts?$select=name', { name: 'Etag' }, { Prefer: 'return=representation' });
    const etag = r.json['@odata.etag'];
    expect((await api.call('PATCH', `accounts(${r.json.accountid})`, { name: 'Etag 2' }, { 'If-Match': etag })).status).toBe(204);
    const stale = await api.call('PATCH', `accounts(${r.json.accountid})`, { name: 'Etag 3' }, { 'If-Match': etag });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('0x80060882');
    const notModified = await api.call('GET', `accounts(${r.json.accountid})?$select=name`);
    const nm = await api.call('GET', `accounts(${r.json.accountid})?$select=name`, undefined, { 'If-None-Match': notModified.json['@odata.etag'] });
    expect(nm.status).toBe(304);
  });
});

describe('upsert by alternate key', () => {
  test('PATCH by key creates then updates (204 both); return=representation gives 201 then 200', async () => {
    const a = await api.call('PATCH', "accounts(astep_sourceid='A-1')", { name: 'Key one' }, { Prefer: 'return=representation' });
    expect(a.status).toBe(201);
    expect(a.json.astep_sourceid).toBe('A-1');
    const b = await api.call('PATCH', "accounts(astep_sourceid='A-1')", { name: 'Key one v2' }, { Prefer: 'return=representation' });
    expect(b.status).toBe(200);
    expect(b.json.accountid).toBe(a.json.accountid);
    const plain = await api.call('PATCH', "accounts(astep_sourceid='A-1')", { name: 'Key one v3' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('odata-entityid')).toContain(a.json.accountid);
  });

  test('If-Match: * is update-only (404); If-None-Match: * is create-only (412)', async () => {
    const u = await api.call('PATCH', "accounts(astep_sourceid='missing-1')", { name: 'x' }, { 'If-Match': '*' });
    expect(u.status).toBe(404);
    expect(u.json.error.code).toBe('0x80060891');
    expect((await api.call('GET', "accounts?$filter=astep_sourceid eq 'missing-1'")).json.value).toHaveLength(0);
    const guid = '99999999-2222-4333-8444-555555555555';
    const ug = await api.call('PATCH', `accounts(${guid})`, { name: 'x' }, { 'If-Match': '*' });
    expect(ug.json.error.code).toBe('0x80040217');
    expect((await api.call('PATCH', "accounts(astep_sourceid='C-1')", { name: 'c' }, { 'If-None-Match': '*' })).status).toBe(204);
    const dup = await api.call('PATCH', "accounts(astep_sourceid='C-1')", { name: 'c' }, { 'If-None-Match': '*' });
    expect(dup.status).toBe(412);
    expect(dup.json.error.message).toBe('A record with matching key values already exists.');
  });

  test("quotes are escaped as '' ; forbidden key characters fail as reported", async () => {
    const r = await api.call('PATCH', `accounts(astep_sourceid='${encodeURIComponent("O''Brien & co")}')`, { name: 'q' });
    expect(r.status).toBe(404); // '&' is one of the characters keys cannot carry in a URL
    const ok = await api.call('PATCH', `accounts(astep_sourceid='${encodeURIComponent("O''Brien")}')`, { name: "O'Brien" }, { Prefer: 'return=representation' });
    expect(ok.status).toBe(201);
    expect(ok.json.astep_sourceid).toBe("O'Brien");
    const hash = await api.call('GET', `accounts(astep_sourceid='${encodeURIComponent('a#b')}')`);
    expect(hash.json.error.code).toBe('0x8006088a');
    const slash = await api.call('GET', `accounts(astep_sourceid='${encodeURIComponent('1/2')}')`);
    expect(slash.json.error.code).toBe('0x80060891');
  });

  test('a column that is not a key in the URL is rejected; key uniqueness is case-insensitive', async () => {
    const r = await api.call('GET', "accounts(name='x')");
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain("The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.account'");
    await api.call('POST', 'accounts', { name: 'k', astep_sourceid: 'CASE-1' });
    const dup = await api.call('POST', 'accounts', { name: 'k', astep_sourceid: 'case-1' });
    expect(dup.json.error.code).toBe('0x80060892');
  });
});

describe('lookups and @odata.bind', () => {
  let accountId: string;
  beforeAll(async () => {
    const r = await api.call('POST', 'accounts', { name: 'Parent', astep_sourceid: 'P-1' });
    accountId = idOf(r.headers);
  });

  test('bind by GUID and by alternate key; lookup read back as _x_value with annotations', async () => {
    const c = await api.call('POST', 'contacts?$select=_parentcustomerid_value', { lastname: 'Smith', 'parentcustomerid_account@odata.bind': "/accounts(astep_sourceid='P-1')" }, { Prefer: 'return=representation,odata.include-annotations="*"' });
    expect(c.status).toBe(201);
    expect(c.json._parentcustomerid_value).toBe(accountId);
    expect(c.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect(c.json['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe('Parent');
    const o = await api.call('POST', 'opportunities?$select=_parentaccountid_value', { name: 'Deal', 'parentaccountid@odata.bind': `/accounts(${accountId})` }, { Prefer: 'return=representation' });
    expect(o.json._parentaccountid_value).toBe(accountId);
    const cleared = await api.call('PATCH', `opportunities(${o.json.opportunityid})`, { 'parentaccountid@odata.bind': null });
    expect(cleared.status).toBe(204);
    expect((await api.call('GET', `opportunities(${o.json.opportunityid})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBeNull();
  });

  test('missing bind targets: key → 0x80060891, GUID → 0x80040217; bare polymorphic name → 0x80048d19', async () => {
    const k = await api.call('POST', 'contacts', { lastname: 'x', 'parentcustomerid_account@odata.bind': "/accounts(astep_sourceid='nope')" });
    expect(k.json.error).toEqual({ code: '0x80060891', message: 'A record with the specified key values does not exist in account entity' });
    const g = await api.call('POST', 'contacts', { lastname: 'x', 'parentcustomerid_account@odata.bind': '/accounts(00000000-0000-0000-0000-000000000001)' });
    expect(g.json.error.code).toBe('0x80040217');
    const bare = await api.call('POST', 'contacts', { lastname: 'x', 'parentcustomerid@odata.bind': `/accounts(${accountId})` });
    expect(bare.status).toBe(400);
    expect(bare.json.error.code).toBe('0x80048d19');
    expect(bare.json.error.message).toContain("An undeclared property 'parentcustomerid' which only has property annotations");
  });

  test('custom lookups use the schema-cased navigation property; regarding and note targets are per table', async () => {
    const m = await api.call('POST', 'astep_matters?$select=_astep_accountid_value', { astep_name: 'M1', 'astep_AccountId@odata.bind': `/accounts(${accountId})` }, { Prefer: 'return=representation' });
    expect(m.status).toBe(201);
    expect(m.json._astep_accountid_value).toBe(accountId);
    const lower = await api.call('POST', 'astep_matters', { astep_name: 'M2', 'astep_accountid@odata.bind': `/accounts(${accountId})` });
    expect(lower.json.error.code).toBe('0x80048d19');
    const t = await api.call('POST', 'tasks?$select=_regardingobjectid_value', { subject: 'Call', 'regardingobjectid_account_task@odata.bind': `/accounts(${accountId})` }, { Prefer: 'return=representation' });
    expect(t.json._regardingobjectid_value).toBe(accountId);
    const n = await api.call('POST', 'annotations?$select=objecttypecode', { subject: 'Note', 'objectid_account@odata.bind': `/accounts(${accountId})` }, { Prefer: 'return=representation' });
    expect(n.json.objecttypecode).toBe('account');
  });

  test('$expand of a single-valued navigation property with $select', async () => {
    const r = await api.call('GET', `contacts?$select=lastname&$filter=_parentcustomerid_value eq ${accountId}&$expand=parentcustomerid_account($select=name)`);
    expect(r.status).toBe(200);
    expect(r.json.value[0].parentcustomerid_account.name).toBe('Parent');
  });
});

describe('queries', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await api.call('POST', 'contacts', { firstname: `F${i}`, lastname: `Query${String(i).padStart(2, '0')}`, emailaddress1: i % 2 ? `q${i}@example.com` : null, astep_sourceid: `Q-${i}` });
  });

  test('$filter operators, functions, In, null, and/or/not', async () => {
    const q = async (f: string) => (await api.call('GET', `contacts?$select=lastname&$filter=${encodeURIComponent(f)}`)).json;
    expect((await q("startswith(lastname,'Query1')")).value).toHaveLength(10);
    expect((await q("contains(lastname,'ery2')")).value).toHaveLength(5);
    expect((await q("endswith(lastname,'24')")).value).toHaveLength(1);
    expect((await q("startswith(lastname,'Query') and emailaddress1 eq null")).value).toHaveLength(13);
    expect((await q("startswith(lastname,'Query') and emailaddress1 ne null")).value).toHaveLength(12);
    expect((await q("lastname eq 'Query01' or lastname eq 'Query02'")).value).toHaveLength(2);
    expect((await q("startswith(lastname,'Query') and not (lastname ge 'Query05')")).value).toHaveLength(5);
    expect((await q("Microsoft.Dynamics.CRM.In(PropertyName='astep_sourceid',PropertyValues=['Q-1','Q-2','Q-99'])")).value).toHaveLength(2);
    expect((await q("lastname eq 'query03'")).value).toHaveLength(1); // case-insensitive like SQL Server
    const bad = await api.call('GET', `contacts?$filter=${encodeURIComponent("lastname eq 'x' and")}`);
    expect(bad.json.error.code).toBe('0x8006088a');
  });

  test('$orderby, $top and $count', async () => {
    const r = await api.call('GET', `contacts?$select=lastname&$filter=${encodeURIComponent("startswith(lastname,'Query')")}&$orderby=lastname desc&$top=3&$count=true`);
    expect(r.json.value.map((x: any) => x.lastname)).toEqual(['Query24', 'Query23', 'Query22']);
    expect(r.json['@odata.count']).toBe(25);
    expect(r.json['@odata.nextLink']).toBeUndefined();
  });

  test('paging with Prefer: odata.maxpagesize and @odata.nextLink', async () => {
    const seen: string[] = [];
    let url: string | undefined = `contacts?$select=lastname&$filter=${encodeURIComponent("startswith(lastname,'Query')")}&$orderby=lastname`;
    let pages = 0;
    while (url) {
      const r = await api.call('GET', url, undefined, { Prefer: 'odata.maxpagesize=10' });
      expect(r.status).toBe(200);
      seen.push(...r.json.value.map((x: any) => x.lastname));
      url = r.json['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  test('formatted values for choices and money with include-annotations', async () => {
    const r = await api.call('POST', 'accounts?$select=industrycode,revenue', { name: 'Ann', industrycode: 21, revenue: 1234.5 }, { Prefer: 'return=representation,odata.include-annotations="*"' });
    expect(r.json['industrycode@OData.Community.Display.V1.FormattedValue']).toBe('Legal Services');
    expect(r.json['revenue@OData.Community.Display.V1.FormattedValue']).toBe('$1,234.50');
  });
});

describe('functions and single properties', () => {
  test('RetrieveTotalRecordCount, $count, a property GET/PUT and DELETE $ref', async () => {
    const before = (await api.call('GET', "RetrieveTotalRecordCount(EntityNames=['account','contact'])")).json.EntityRecordCountCollection;
    expect(before.Keys).toEqual(['account', 'contact']);
    const n = before.Values[0];
    const r = await api.call('POST', 'accounts', { name: 'Counted' });
    const id = idOf(r.headers);
    expect((await api.call('GET', "RetrieveTotalRecordCount(EntityNames=['account'])")).json.EntityRecordCountCollection.Values[0]).toBe(n + 1);
    expect(Number((await api.call('GET', 'accounts/$count')).text)).toBe(n + 1);
    expect((await api.call('PUT', `accounts(${id})/telephone1`, { value: '123' })).status).toBe(204);
    expect((await api.call('GET', `accounts(${id})/telephone1`)).json.value).toBe('123');
    const c = idOf((await api.call('POST', 'contacts', { lastname: 'Ref', 'parentcustomerid_account@odata.bind': `${api.emu.webApiUrl}accounts(${id})` })).headers);
    expect((await api.call('GET', `contacts(${c})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(id);
    expect((await api.call('DELETE', `contacts(${c})/parentcustomerid_account/$ref`)).status).toBe(204);
    expect((await api.call('GET', `contacts(${c})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBeNull();
    const su = await api.call('GET', `systemusers(systemuserid=${(await api.call('GET', 'WhoAmI')).json.UserId})`);
    expect(su.status).toBe(400); // principal tables cannot be addressed by a named primary key
  });
});

test('keyset paging without $orderby: rows added behind the cursor do not shift later pages', async () => {
  for (let i = 0; i < 12; i++) await api.call('POST', 'accounts', { name: `Keyset ${i}` });
  const filter = encodeURIComponent("startswith(name,'Keyset')");
  const first = await api.call('GET', `accounts?$select=name&$filter=${filter}`, undefined, { Prefer: 'odata.maxpagesize=5' });
  expect(first.json['@odata.nextLink']).toContain('pagingcookie');
  const ids: string[] = first.json.value.map((r: any) => r.accountid);
  // a row whose id sorts before everything already read
  await api.call('POST', 'accounts', { accountid: '00000000-0000-4000-8000-000000000001', name: 'Keyset early' });
  let url: string | undefined = first.json['@odata.nextLink'];
  while (url) {
    const r = await api.call('GET', url, undefined, { Prefer: 'odata.maxpagesize=5' });
    ids.push(...r.json.value.map((x: any) => x.accountid));
    url = r.json['@odata.nextLink'];
  }
  expect(ids).toHaveLength(12);
  expect(new Set(ids).size).toBe(12);
  expect([...ids].sort()).toEqual(ids);
});

test('include-annotations honours a list of terms', async () => {
  const acc = idOf((await api.call('POST', 'accounts', { name: 'Ann parent' })).headers);
  const c = await api.call('POST', 'contacts?$select=_parentcustomerid_value,gendercode', { lastname: 'Ann child', gendercode: 2, 'parentcustomerid_account@odata.bind': `/accounts(${acc})` }, {
    Prefer: 'return=representation,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"',
  });
  expect(c.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
  expect(c.json['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBeUndefined();
  expect(c.json['gendercode@OData.Community.Display.V1.FormattedValue']).toBeUndefined();
  const f = await api.call('GET', `contacts(${c.json.contactid})?$select=gendercode`, undefined, { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' });
  expect(f.json['gendercode@OData.Community.Display.V1.FormattedValue']).toBe('Female');
});

test('errors carry the extended CDS details when annotations are requested', async () => {
  const r = await api.call('POST', 'accounts', { name: 'x'.repeat(161) }, { Prefer: 'odata.include-annotations="*"' });
  expect(r.json.error.code).toBe('0x80044331');
  expect(r.json.error['@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode']).toBe('-2147204303');
  expect(r.json.error['@Microsoft.PowerApps.CDS.InnerError.Message']).toBe(r.json.error.message);
  const plain = await api.call('POST', 'accounts', { name: 'x'.repeat(161) });
  expect(Object.keys(plain.json.error)).toEqual(['code', 'message']);
});

test('$metadata is a well-formed CSDL with entity types, keys, lookups and navigation properties', async () => {
  const { XMLValidator, XMLParser } = await import('fast-xml-parser');
  const r = await api.call('GET', '$metadata');
  expect(r.status).toBe(200);
  expect(XMLValidator.validate(r.text)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false }).parse(r.text);
  const types = doc['edmx:Edmx']['edmx:DataServices'].Schema.EntityType as Array<Record<string, any>>;
  const contact = types.find((t) => t['@_Name'] === 'contact')!;
  expect(contact.Key.PropertyRef['@_Name']).toBe('contactid');
  expect(contact.Property.map((p: any) => p['@_Name'])).toEqual(expect.arrayContaining(['lastname', '_parentcustomerid_value', 'astep_sourceid']));
  expect(contact.NavigationProperty.map((p: any) => p['@_Name'])).toEqual(expect.arrayContaining(['parentcustomerid_account', 'parentcustomerid_contact']));
  expect(types.some((t) => t['@_Name'] === 'astep_matter')).toBe(true);
  const account = types.find((t) => t['@_Name'] === 'account')!;
  expect(account.NavigationProperty).toEqual(expect.arrayContaining([expect.objectContaining({ '@_Name': 'contact_customer_accounts', '@_Type': 'Collection(mscrm.contact)' })]));
});

test('collection-valued navigation: $expand and GET of one-to-many relationships (standard and custom)', async () => {
  const acc = idOf((await api.call('POST', 'accounts', { name: 'Parent of many' })).headers);
  for (const n of ['Kid A', 'Kid B']) await api.call('POST', 'contacts', { lastname: n, 'parentcustomerid_account@odata.bind': `/accounts(${acc})` });
  await api.call('POST', 'astep_matters', { astep_name: 'Matter of many', 'astep_AccountId@odata.bind': `/accounts(${acc})` });
  await api.call('POST', 'tasks', { subject: 'Task of many', 'regardingobjectid_account_task@odata.bind': `/accounts(${acc})` });
  const r = await api.call('GET', `accounts(${acc})?$select=name&$expand=contact_customer_accounts($select=lastname;$orderby=lastname desc),astep_account_astep_matter_accountid($select=astep_name)`);
  expect(r.status).toBe(200);
  expect(r.json.contact_customer_accounts.map((c: any) => c.lastname)).toEqual(['Kid B', 'Kid A']);
  expect(r.json.astep_account_astep_matter_accountid.map((m: any) => m.astep_name)).toEqual(['Matter of many']);
  const t = await api.call('GET', `accounts(${acc})/Account_Tasks?$select=subject`);
  expect(t.json.value.map((x: any) => x.subject)).toEqual(['Task of many']);
});

test('collection-valued navigation keeps only children whose polymorphic lookup points at this table', async () => {
  // An account and a contact may carry the same GUID (ids are unique per table): Account_Tasks must not list a task
  // regarding the contact.
  const shared = '7a1e0000-0000-4000-8000-00000000c0de';
  expect((await api.call('POST', 'accounts', { accountid: shared, name: 'Shared id account' })).status).toBe(204);
  expect((await api.call('POST', 'contacts', { contactid: shared, lastname: 'Shared id contact' })).status).toBe(204);
  await api.call('POST', 'tasks', { subject: 'About the account', 'regardingobjectid_account_task@odata.bind': `/accounts(${shared})` });
  await api.call('POST', 'tasks', { subject: 'About the contact', 'regardingobjectid_contact_task@odata.bind': `/contacts(${shared})` });
  const t = await api.call('GET', `accounts(${shared})/Account_Tasks?$select=subject`);
  expect(t.json.value.map((x: any) => x.subject)).toEqual(['About the account']);
  const c = await api.call('GET', `contacts(${shared})?$select=lastname&$expand=Contact_Tasks($select=subject)`);
  expect(c.json.Contact_Tasks.map((x: any) => x.subject)).toEqual(['About the contact']);
});
