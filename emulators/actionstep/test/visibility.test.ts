import type { ResourceName } from '@astep/actionstep-connector/records';
import { RESOURCE_NAMES, fromWire } from '@astep/actionstep-connector/resources';
import type { ActionstepEmulator } from '@astep/actionstep-emulator';
import { api, login, start } from './helpers';

/** Pages through a resource the way a careful client does: pageSize 200, bare objects, 204 as empty. */
async function readAll(em: ActionstepEmulator, token: string, resource: ResourceName, extra = ''): Promise<unknown[]> {
  const out: unknown[] = [];
  const linked: Record<string, unknown> = {};
  for (let page = 1; ; page++) {
    const r = await api(em, token, `rest/${resource}?pageSize=200&page=${page}${extra}`);
    if (r.status === 204) break;
    if (r.status !== 200) throw new Error(`${resource} page ${page}: ${r.status} ${r.text}`);
    const v = r.body[resource];
    Object.assign(linked, r.body.linked ?? {});
    for (const w of Array.isArray(v) ? v : [v]) out.push(fromWire(resource, w, { linked: r.body.linked }));
    if (page >= r.body.meta.paging[resource].pageCount) break;
  }
  return out;
}

describe('user-centric visibility and soft deletes', () => {
  let em: ActionstepEmulator;
  beforeAll(async () => {
    em = await start({ firm: 'tiny', seed: 21 });
  });
  afterAll(() => em.close());

  it('a restricted matter and its children are invisible to other users and visible to its nominated users', async () => {
    const active = new Set(em.firm.users.filter((u) => u.isActive).map((u) => u.id));
    const restricted = [...em.firm.iterateRestrictedMatters()].find((r) => !r.userIds.includes('1') && active.has(r.userIds[0]));
    expect(restricted).toBeDefined();
    const { actionId, userIds } = restricted!;
    const admin = (await login(em)).access_token;
    const ownerEmail = em.firm.userEmail(userIds[0])!;
    expect((await api(em, admin, `rest/actions/${actionId}`)).status).toBe(404);
    expect((await api(em, admin, `rest/actions?id_eq=${actionId}`)).status).toBe(204);
    for (const child of ['actionparticipants', 'timeentries', 'tasks', 'filenotes', 'actiondocuments', 'datacollectionrecords', 'datacollectionrecordvalues'] as const) {
      expect({ child, status: (await api(em, admin, `rest/${child}?action=${actionId}`)).status }).toEqual({ child, status: 204 });
    }
    const apRow = [...em.firm.iterate('actionparticipants')].find((a) => a.actionId === actionId)!;
    expect((await api(em, admin, `rest/actionparticipants/${apRow.id}`)).status).toBe(404);
    const owner = (await login(em, { login_hint: ownerEmail })).access_token;
    expect((await api(em, owner, `rest/actions/${actionId}`)).status).toBe(200);
    expect((await api(em, owner, `rest/actionparticipants?action=${actionId}`)).status).toBe(200);
  });

  it('users nominated on every restricted matter see the same matters (what several migration sign-ins need)', async () => {
    const nominated = await start({ firm: 'tiny', seed: 21, nominatedOnAllMatters: ['1', '2'] });
    try {
      const ids = async (hint?: string) => {
        const token = (await login(nominated, hint ? { login_hint: hint } : {})).access_token;
        return ((await readAll(nominated, token, 'actions')) as Array<{ id: string }>).map((a) => a.id);
      };
      const admin = await ids();
      const second = await ids(nominated.firm.userEmail('2')!);
      expect(second).toEqual(admin);
      const restricted = [...nominated.firm.iterateRestrictedMatters()].map((r) => r.actionId);
      const deleted = nominated.firm.groundTruth('1').deletedActionIds;
      expect(restricted.filter((id) => !deleted.includes(id)).every((id) => admin.includes(id))).toBe(true);
      // Without the nominations the same two users do not see the same matters.
      const plainAdmin = ((await readAll(em, (await login(em)).access_token, 'actions')) as Array<{ id: string }>).map((a) => a.id);
      expect(plainAdmin.length).toBeLessThan(admin.length);
    } finally {
      await nominated.close();
    }
  });

  it('soft-deleted matters are left out of the default listing but can be filtered for and fetched by id', async () => {
    const admin = (await login(em)).access_token;
    const deleted = em.firm.groundTruth('1').deletedActionIds;
    expect(deleted.length).toBeGreaterThan(0);
    const listed = (await readAll(em, admin, 'actions')) as Array<{ id: string }>;
    expect(listed.some((a) => deleted.includes(a.id))).toBe(false);
    const onlyDeleted = (await readAll(em, admin, 'actions', '&isDeleted=T')) as Array<{ id: string; isDeleted: boolean }>;
    expect(onlyDeleted.map((a) => a.id).sort()).toEqual([...deleted].sort());
    expect((await api(em, admin, `rest/actions/${deleted[0]}`)).body.actions.isDeleted).toBe('T');
  });

  it('a careful client paging every resource as the admin gets exactly the ground truth', async () => {
    const admin = (await login(em)).access_token;
    const truth = em.firm.groundTruth('1');
    for (const r of RESOURCE_NAMES) {
      const got = await readAll(em, admin, r, r === 'users' ? '&include=participant' : '');
      expect({ r, records: got }).toEqual({ r, records: truth.records[r] });
    }
  });
});
