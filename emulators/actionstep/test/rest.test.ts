import type { ActionstepEmulator } from '@astep/actionstep-emulator';
import { api, login, start } from './helpers';

/** A collection body holds an array, or a bare object when there is one record. */
function list(body: Record<string, unknown>, key: string): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const v = body[key];
  return Array.isArray(v) ? v : [v as Record<string, unknown>];
}

describe('REST envelope and quirks (tiny firm)', () => {
  let em: ActionstepEmulator;
  let token: string;
  const get = (path: string) => api(em, token, path);
  beforeAll(async () => {
    em = await start();
    token = (await login(em)).access_token;
  });
  afterAll(() => em.close());

  it('sends links templates, the resource key, meta.paging and meta.debug with rl null', async () => {
    const r = await get('rest/actions');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(r.body.links['actions.actionType']).toEqual({ href: `${em.apiEndpoint}rest/actiontypes/{actions.actionType}`, type: 'actiontypes' });
    expect(r.body.meta.paging.actions).toMatchObject({ page: 1, pageSize: 50, prevPage: null, nextPage: null });
    expect(r.body.meta.debug.rl).toBeNull();
    const a = r.body.actions[0];
    expect(typeof a.id).toBe('number');
    expect(a.isDeleted).toMatch(/^[TF]$/);
    expect(typeof a.links.actionType).toBe('string');
    expect(a.links.step).toMatch(/^\d+--\d+$/);
    const ids = r.body.actions.map((x: { id: number }) => x.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => x - y)); // default order: id ascending
  });

  it('defaults pageSize to 50, caps it silently at 200, and answers 204 past the last page', async () => {
    const first = await get('rest/timeentries');
    expect(first.body.timeentries).toHaveLength(50);
    const big = await get('rest/timeentries?pageSize=1000');
    expect(big.status).toBe(200);
    expect(big.body.meta.paging.timeentries.pageSize).toBe(200);
    expect(big.body.timeentries).toHaveLength(200);
    const { recordCount, pageCount } = big.body.meta.paging.timeentries;
    expect(recordCount).toBe(em.firm.groundTruth('1').records.timeentries.length);
    expect(big.body.meta.paging.timeentries.nextPage).toBe(`${em.apiEndpoint}rest/timeentries?pageSize=1000&page=2`);
    const last = await get(`rest/timeentries?pageSize=200&page=${pageCount}`);
    expect(last.status).toBe(200);
    const past = await get(`rest/timeentries?pageSize=200&page=${pageCount + 1}`);
    expect(past.status).toBe(204);
    expect(past.text).toBe('');
    // Paging through (anchored pages) yields every record once.
    const seen = new Set<number>();
    for (let p = 1; p <= pageCount; p++) for (const t of list((await get(`rest/timeentries?pageSize=200&page=${p}`)).body, 'timeentries')) seen.add(t.id);
    expect(seen.size).toBe(recordCount);
  });

  it('returns a single-result collection as a bare object and an empty one as 204 without body', async () => {
    const one = await get('rest/actions?id_eq=3');
    expect(Array.isArray(one.body.actions)).toBe(false);
    expect(one.body.actions.id).toBe(3);
    expect(one.body.meta.paging.actions.recordCount).toBe(1);
    const none = await get('rest/actions?id_eq=999999');
    expect(none.status).toBe(204);
    expect(none.text).toBe('');
  });

  it('keeps single results in an array when the quirk flag is off', async () => {
    const em2 = await start({ singleObjectQuirk: false });
    try {
      const t = (await login(em2)).access_token;
      const one = await api(em2, t, 'rest/actions?id_eq=3');
      expect(Array.isArray(one.body.actions)).toBe(true);
    } finally {
      await em2.close();
    }
  });

  it('GET by id gives an object, several ids an array; unknown id 404', async () => {
    const one = await get('rest/actions/4');
    expect(one.body.actions.id).toBe(4);
    const two = await get('rest/actions/4,5');
    expect(two.body.actions.map((a: { id: number }) => a.id)).toEqual([4, 5]);
    const missing = await get('rest/actions/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.errors).toMatchObject({ status: 404, links: { about: null }, rls: null });
    const ap = [...em.firm.iterate('actionparticipants')][0];
    const byComposite = await get(`rest/actionparticipants/${ap.id}`);
    expect(byComposite.body.actionparticipants.id).toBe(ap.id);
  });

  it('serves composite ids whose parts hold quotes and OData-special characters', async () => {
    const odd = [...em.firm.iterate('datacollectionrecordvalues')].find((v) => /['*%&:\\?+#/<>]/.test(v.dataCollectionFieldId));
    expect(odd).toBeDefined();
    const r = await get(`rest/datacollectionrecordvalues/${encodeURIComponent(odd!.id)}`);
    expect(r.status).toBe(200);
    expect(r.body.datacollectionrecordvalues.id).toBe(odd!.id);
    expect(r.body.datacollectionrecordvalues.links.dataCollectionField).toBe(odd!.dataCollectionFieldId);
  });

  it('OPTIONS lists the verbs of a resource', async () => {
    const res = await fetch(`${em.apiEndpoint}rest/actionparticipants`, { method: 'OPTIONS' });
    expect(res.headers.get('allow')).toBe('OPTIONS, GET, POST, DELETE');
  });

  it('is case-sensitive: unknown resource 404 AS-TBC naming it capitalised; unknown filter field 400', async () => {
    const r = await get('rest/Actions');
    expect(r.status).toBe(404);
    expect(r.body.errors).toMatchObject({ code: 'AS-TBC', title: 'API Resource Not Found', detail: "Resource 'Actions' does not exist" });
    const typo = await get('rest/datacollectionrecordvaluesa');
    expect(typo.body.errors.detail).toBe("Resource 'Datacollectionrecordvaluesa' does not exist");
    const f = await get('rest/actions?Name=x');
    expect(f.status).toBe(400);
    expect(f.body.errors.source.parameter).toBe('Name');
    expect(f.body.errors.detail).toMatch(/Unknown field 'Name'/);
  });

  it('filters with every operator, wildcards, bracketed link paths, AND-combined', async () => {
    const all = [...em.firm.iterate('timeentries')];
    const count = async (q: string): Promise<number> => {
      const r = await get(`rest/timeentries?pageSize=1&${q}`);
      return r.status === 204 ? 0 : r.body.meta.paging.timeentries.recordCount;
    };
    // The admin sees every time entry of the tiny firm except those on matters restricted to other users.
    const hidden = new Set(em.firm.groundTruth('1').hiddenActionIds);
    const n = (pred: (t: (typeof all)[number]) => boolean): number => all.filter((t) => !hidden.has(t.actionId!) && pred(t)).length;
    const actionId = all[0].actionId!;
    expect(await count(`action=${actionId}`)).toBe(n((t) => t.actionId === actionId));
    expect(await count(`action_eq=${actionId}`)).toBe(n((t) => t.actionId === actionId));
    expect(await count(`action[id_eq]=${actionId}`)).toBe(n((t) => t.actionId === actionId));
    expect(await count(`action_nteq=${actionId}`)).toBe(n((t) => t.actionId !== actionId));
    expect(await count('actualHours_gt=3')).toBe(n((t) => (t.actualHours ?? 0) > 3));
    expect(await count('actualHours_gteq=3')).toBe(n((t) => (t.actualHours ?? 0) >= 3));
    expect(await count('actualHours_lt=1.5')).toBe(n((t) => (t.actualHours ?? 0) < 1.5));
    expect(await count('actualHours_lteq=1.5')).toBe(n((t) => (t.actualHours ?? 0) <= 1.5));
    expect(await count('billingBehavior_in=Hide,No charge')).toBe(n((t) => t.billingBehavior === 'Hide' || t.billingBehavior === 'No charge'));
    expect(await count('billingBehavior_ntin=Hide,No charge')).toBe(n((t) => t.billingBehavior !== 'Hide' && t.billingBehavior !== 'No charge')); // Bill and the planted unknown value
    expect(await count('description_ilike=*ATTENDANCE*')).toBe(n((t) => /attendance/i.test(t.description ?? '')));
    expect(await count('description_ilike=%research%')).toBe(n((t) => /research/i.test(t.description ?? '')));
    expect(await count('description_like=*Attendance*')).toBe(n((t) => /Attendance/.test(t.description ?? '')));
    expect(await count('description_like=*ATTENDANCE*')).toBe(0);
    expect(await count(`isBillable=T&action=${actionId}`)).toBe(n((t) => t.isBillable === true && t.actionId === actionId));
    const typeOf = new Map([...em.firm.iterate('actions')].map((a) => [a.id, a.actionTypeId]));
    expect(await count('action[actionType][name_eq]=Litigation')).toBe(n((t) => typeOf.get(t.actionId!) === '2'));
    const bad = await get('rest/timeentries?actualHours_gt=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.detail).toMatch(/expects a number/);
  });

  it('pages integer ids by keyset (sort=id, id_gt) but refuses to compare composite ids', async () => {
    const first = await get('rest/participants?sort=id&pageSize=3');
    const last = first.body.participants[2].id;
    const next = await get(`rest/participants?sort=id&pageSize=3&id_gt=${last}`);
    expect(Number(next.body.participants[0].id)).toBeGreaterThan(Number(last));
    const composite = await get('rest/actionparticipants?sort=id&id_gt=1--1--1');
    expect(composite.status).toBe(400);
    expect(composite.body.errors.detail).toBe(`Filter 'id_gt' compares numbers and dates; actionparticipants ids are composite text (like "7--2--10") and cannot be compared.`);
  });

  it('reads timestamp filters as UTC without an offset; an offset sent anyway is not applied (integrators\' notes)', async () => {
    const m = [...em.firm.iterate('actions')].find((a) => !a.isDeleted && a.modifiedTimestamp && !/[+-]00:00$/.test(a.modifiedTimestamp))!;
    const utc = new Date(m.modifiedTimestamp!).toISOString().slice(0, 19);
    const plusOne = new Date(Date.parse(m.modifiedTimestamp!) + 1000).toISOString().slice(0, 19);
    const q = (v: string) => get(`rest/actions?id_eq=${m.id}&modifiedTimestamp_gteq=${encodeURIComponent(v)}`);
    expect((await q(utc)).status).toBe(200);
    expect((await q(plusOne)).status).toBe(204);
    expect((await q(`${utc}Z`)).status).toBe(200);
    // The firm's local time with its offset (+12/+13) is read as that many hours later in UTC: past the record.
    expect((await q(m.modifiedTimestamp!)).status).toBe(204);
  });

  it('rejects modified-timestamp filters on resources without one', async () => {
    const r = await get('rest/timeentries?modifiedTimestamp_gteq=2020-01-01T00:00:00');
    expect(r.status).toBe(400);
    expect(r.body.errors.detail).toMatch(/no modified timestamp/);
    expect((await get('rest/tasks?lastModifiedTimestamp_gteq=2020-01-01T00:00:00')).status).toBe(200);
    expect((await get('rest/datacollectionrecordvalues?last_modified_time_stamp_gteq=2020-01-01T00:00:00')).status).toBe(200);
  });

  it('sorts by several fields, ascending and descending', async () => {
    const r = await get('rest/timeentries?sort=-actualHours,id&pageSize=200');
    const rows = r.body.timeentries as Array<{ id: number; actualHours: string }>;
    for (let i = 1; i < rows.length; i++) {
      const a = Number(rows[i - 1].actualHours);
      const b = Number(rows[i].actualHours);
      expect(a > b || (a === b && rows[i - 1].id < rows[i].id)).toBe(true);
    }
    expect((await get('rest/timeentries?sort=nope')).status).toBe(400);
  });

  it('selects fields with fields=, fields[res]= and :default', async () => {
    const r = await get('rest/actions?fields=id,name,actionType&pageSize=2');
    expect(Object.keys(r.body.actions[0]).sort()).toEqual(['id', 'links', 'name']);
    expect(Object.keys(r.body.actions[0].links)).toEqual(['actionType']);
    const per = await get('rest/actions?fields[actions]=id,reference&fields[actiontypes]=id,name&include=actionType&pageSize=2');
    expect(Object.keys(per.body.actions[0]).sort()).toEqual(['id', 'reference']);
    expect(Object.keys(per.body.linked.actiontypes[0]).sort()).toEqual(['id', 'name']);
    const def = await get('rest/actions?fields=:default,name&pageSize=1');
    expect(def.body.actions).toHaveProperty('modifiedTimestamp'); // pageSize=1: a bare object
  });

  it('sideloads includes by link name, nested with dots, de-duplicated in linked.<resource>', async () => {
    const r = await get('rest/actionparticipants?pageSize=200&include=participant,participantType,action.actionType');
    const rows = r.body.actionparticipants as Array<{ links: { participant: string; participantType: string } }>;
    const pids = new Set(rows.map((x) => x.links.participant));
    expect(r.body.linked.participants).toHaveLength(pids.size);
    expect(new Set(r.body.linked.participants.map((p: { id: number }) => String(p.id)))).toEqual(pids);
    expect(r.body.linked.participanttypes.length).toBe(new Set(rows.map((x) => x.links.participantType)).size);
    expect(r.body.linked.actiontypes.length).toBeGreaterThan(1);
    expect(r.body.linked.actions.length).toBeGreaterThan(1);
    expect((await get('rest/actions?include=actiontype')).status).toBe(400);
    const users = await get('rest/users?include=participant');
    expect(users.body.linked.participants.length).toBe(em.firm.users.length);
  });
});

describe('writes and test mutations', () => {
  let em: ActionstepEmulator;
  let token: string;
  beforeAll(async () => {
    em = await start();
    token = (await login(em)).access_token;
  });
  afterAll(() => em.close());

  it('PUT on actions merges a partial body, bumps modifiedTimestamp; PATCH works too', async () => {
    const before = (await api(em, token, 'rest/actions/5')).body.actions;
    const r = await api(em, token, 'rest/actions/5', { method: 'PUT', body: { actions: { reference: 'NEW-REF' } } });
    expect(r.status).toBe(200);
    expect(r.body.actions).toMatchObject({ id: 5, reference: 'NEW-REF', name: before.name });
    expect(r.body.actions.modifiedTimestamp).not.toBe(before.modifiedTimestamp);
    const p = await api(em, token, 'rest/actions/5', { method: 'PATCH', body: { actions: { priority: 1, amlReviewStatus: 'Complete', isFavorite: 'T' } } });
    expect(p.body.actions).toMatchObject({ priority: 1, reference: 'NEW-REF', amlReviewStatus: 'Complete', isFavorite: 'T' });
    em.mutate.update('actions', '5', { name: 'Renamed' });
    expect((await api(em, token, 'rest/actions/5')).body.actions).toMatchObject({ name: 'Renamed', amlReviewStatus: 'Complete', isFavorite: 'T' });
    const bad = await api(em, token, 'rest/actions/5', { method: 'PUT', body: { actions: { Reference: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.detail).toMatch(/Unknown or read-only field 'Reference'/);
    expect((await api(em, token, 'rest/actions', { method: 'POST', body: { actions: { name: 'x' } } })).status).toBe(405);
  });

  it('PUT on participants and tasks', async () => {
    const pr = await api(em, token, 'rest/participants/20', { method: 'PUT', body: { participants: { firstName: 'Renamed', isCompany: 'F' } } });
    expect(pr.body.participants.firstName).toBe('Renamed');
    const task = [...em.firm.iterate('tasks')][0];
    const tr = await api(em, token, `rest/tasks/${task.id}`, { method: 'PUT', body: { tasks: { status: 'Complete' } } });
    expect(tr.body.tasks.status).toBe('Complete');
    expect(tr.body.tasks.lastModifiedTimestamp).not.toBe(task.lastModifiedTimestamp);
  });

  it('POST creates time entries, file notes and participants (wrapped, object or array) and validates', async () => {
    const te = await api(em, token, 'rest/timeentries', { method: 'POST', body: { timeentries: {
      timestampDate: '2024-07-01T00:00:00+12:00', actualHours: '1.5', description: 'Call', links: { action: 3, owner: 2, createdBy: '2' } } } });
    expect(te.status).toBe(200);
    expect(te.body.timeentries).toMatchObject({ actualHours: '1.50', links: { action: '3', owner: '2' } });
    const got = await api(em, token, `rest/timeentries/${te.body.timeentries.id}`);
    expect(got.body.timeentries.description).toBe('Call');
    const missing = await api(em, token, 'rest/timeentries', { method: 'POST', body: { timeentries: { actualHours: 1, links: { action: 3 } } } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.source.pointer).toBe('/timeentries/timestampDate');
    const notes = await api(em, token, 'rest/filenotes', { method: 'POST', body: { filenotes: [{ text: 'a', links: { action: 3 } }, { text: 'b', links: { action: 4 } }] } });
    expect(notes.body.filenotes).toHaveLength(2);
    expect(notes.body.filenotes[0]).toMatchObject({ source: 'User', links: { action: '3' } });
    const orphan = await api(em, token, 'rest/filenotes', { method: 'POST', body: { filenotes: { text: 'x', links: { action: 987654 } } } });
    expect(orphan.status).toBe(400);
    const person = await api(em, token, 'rest/participants', { method: 'POST', body: { participants: { firstName: 'Ana', lastName: 'Lee', isCompany: 'F' } } });
    expect(person.body.participants).toMatchObject({ displayName: 'Lee, Ana', isCompany: 'F' });
    const unwrapped = await api(em, token, 'rest/filenotes', { method: 'POST', body: { text: 'x', links: { action: 3 } } });
    expect(unwrapped.status).toBe(400);
    expect(unwrapped.body.errors.detail).toMatch(/wrap/);
    const badJson = await api(em, token, 'rest/filenotes', { method: 'POST', body: '{"filenotes": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.errors).toMatchObject({ code: 'AS-1302', title: 'Invalid JSON Message' });
  });

  it('POST and DELETE actionparticipants by composite id', async () => {
    const c = await api(em, token, 'rest/actionparticipants', { method: 'POST', body: { actionparticipants: { links: { action: 6, participantType: 6, participant: 40 } } } });
    expect(c.status).toBe(200);
    expect(c.body.actionparticipants.id).toBe('6--6--40');
    const d = await api(em, token, 'rest/actionparticipants/6--6--40', { method: 'DELETE' });
    expect(d.status).toBe(204);
    expect((await api(em, token, 'rest/actionparticipants/6--6--40')).status).toBe(404);
  });

  it('POST creates data collection values with their composite id', async () => {
    const rec = [...em.firm.iterate('datacollectionrecords')].find((r) => r.dataCollectionId === '1' && r.actionId !== '7')!;
    const v = await api(em, token, 'rest/datacollectionrecordvalues', { method: 'POST', body: { datacollectionrecordvalues: {
      stringValue: 'Lot 9', links: { dataCollectionField: '1--zz_newfield', dataCollectionRecord: rec.id } } } });
    expect(v.status).toBe(400); // the field does not exist yet
    const f = await api(em, token, 'rest/datacollectionfields', { method: 'POST', body: { datacollectionfields: { name: 'zz_newfield', dataType: 'Str255', links: { dataCollection: 1 } } } });
    expect(f.body.datacollectionfields.id).toBe('1--zz_newfield');
    const v2 = await api(em, token, 'rest/datacollectionrecordvalues', { method: 'POST', body: { datacollectionrecordvalues: {
      stringValue: 'Lot 9', links: { dataCollectionField: '1--zz_newfield', dataCollectionRecord: rec.id } } } });
    expect(v2.status).toBe(200);
    expect(v2.body.datacollectionrecordvalues).toMatchObject({ id: `1--zz_newfield--${rec.id}`, links: { action: rec.actionId, dataCollection: '1' } });
  });

  it('mutate.update/insert/remove change what the API serves (delta tests)', async () => {
    const t0 = (await api(em, token, 'rest/actions/7')).body.actions.modifiedTimestamp;
    em.mutate.update('actions', '7', { name: 'Changed by test' });
    const a = (await api(em, token, 'rest/actions/7')).body.actions;
    expect(a.name).toBe('Changed by test');
    expect(a.modifiedTimestamp).not.toBe(t0);
    const since = new Date(Date.now() - 60_000).toISOString().slice(0, 19);
    const delta = await api(em, token, `rest/actions?modifiedTimestamp_gteq=${since}`);
    expect(list(delta.body, 'actions').map((x) => x.id)).toContain(7);
    const id = em.mutate.insert('disbursements', { id: '', actionId: '7', date: '2024-01-01', description: 'New', quantity: 1,
      unitPrice: 10, unitPriceIncludesTax: false, enteredTimestamp: null, enteredByParticipantId: null });
    expect((await api(em, token, `rest/disbursements/${id}`)).body.disbursements.description).toBe('New');
    em.mutate.remove('actions', '7');
    expect((await api(em, token, 'rest/actions?id_eq=7')).status).toBe(204);
    const del = await api(em, token, 'rest/actions?id_eq=7&isDeleted=T');
    expect(del.body.actions).toMatchObject({ id: 7, isDeleted: 'T', deletedBy: 'Admin, Firm' });
    em.mutate.remove('disbursements', id);
    expect((await api(em, token, `rest/disbursements/${id}`)).status).toBe(404);
  });
});
