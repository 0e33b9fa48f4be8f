// Several Actionstep sign-ins read one firm only if they are different users who see the same matters. Actionstep is
// user-centric: every call sees what its user may see, and restricted matters only their creator and nominated users
// (reference §1). Pages read by a user who sees fewer matters would silently lack those matters' records; and the
// rate limit is per user session, so a second sign-in of one user adds nothing (the emulator counts it per user).
// Discover checks both and records the result in the plan; extraction through several sessions refuses to start
// unless the plan's check holds for the sessions configured now.
import type { SourceSession } from '../ports';
import type { MigrationPlan, SessionCheck } from '../plan/migrationPlan';
import { EngineError } from './engineError';

const EXAMPLES = 20;

const who = (c: Pick<SessionCheck, 'name' | 'userName' | 'userId'>) => `${c.name} (${c.userName ?? 'Actionstep user'} ${c.userId})`;

/**
 * Asks each session which user it is and which matters it sees; `firstMatterIds` are the first session's (discover
 * has just listed them). Throws when two sessions are one user: that is a configuration mistake, not a plan finding.
 */
export async function checkSessions(sessions: SourceSession[], firstMatterIds: string[]): Promise<{ checks: SessionCheck[]; warnings: string[] }> {
  const users = await Promise.all(sessions.map((s) => s.currentUser()));
  sessions.forEach((s, i) => {
    const j = users.findIndex((u) => u.id === users[i].id);
    if (j < i) {
      throw new EngineError(`${s.name} signs in as the same Actionstep user as ${sessions[j].name} (${users[i].displayName ?? 'user'} ${users[i].id}): `
        + 'Actionstep limits requests per user session, so a second sign-in of one user adds no capacity. Sign it in as another Actionstep user (one the firm nominates on the same restricted matters), or remove it from the configuration.');
    }
  });
  const first = new Set(firstMatterIds);
  const checks: SessionCheck[] = [];
  for (const [i, s] of sessions.entries()) {
    const seen = new Set<string>();
    if (i === 0) for (const id of firstMatterIds) seen.add(id);
    else for await (const ids of s.source.ids('actions')) for (const id of ids) seen.add(id);
    const onlyThisSees = [...seen].filter((id) => !first.has(id));
    const notSeen = firstMatterIds.filter((id) => !seen.has(id));
    checks.push({
      name: s.name, userId: users[i].id, userName: users[i].displayName, matters: seen.size,
      sameMatters: onlyThisSees.length === 0 && notSeen.length === 0, onlyThisSees: onlyThisSees.slice(0, EXAMPLES), notSeen: notSeen.slice(0, EXAMPLES),
    });
  }
  const warnings = checks.filter((c) => !c.sameMatters).map((c) => `${who(c)} does not see the same matters as ${who(checks[0])}: it sees ${c.matters} matters, `
    + `${checks[0].name} ${checks[0].matters}${c.notSeen.length ? `; it does not see ${c.notSeen.join(', ')}` : ''}${c.onlyThisSees.length ? `; only it sees ${c.onlyThisSees.join(', ')}` : ''}. `
    + 'Extraction will not use several sign-ins until they see the same matters: nominate these users on the same restricted matters in Actionstep, or remove the sign-in from the configuration, then run discover again.');
  return { checks, warnings };
}

/** Before reading through several sessions: each is the user discover checked, and all saw the same matters. */
export async function requireCheckedSessions(sessions: SourceSession[], plan: MigrationPlan): Promise<void> {
  if (sessions.length < 2) return;
  const checked = plan.source.sessions ?? [];
  const users = await Promise.all(sessions.map((s) => s.currentUser()));
  for (const [i, s] of sessions.entries()) {
    const c = checked.find((x) => x.name === s.name);
    if (!c) throw new EngineError(`${s.name} was not checked by discover (the Actionstep sign-ins changed since the plan was made): run \`discover\` again so it checks that every sign-in sees the same matters.`);
    if (c.userId !== users[i].id) throw new EngineError(`${s.name} now signs in as ${users[i].displayName ?? 'user'} ${users[i].id}, but discover checked ${who(c)}: run \`discover\` again.`);
    if (!c.sameMatters) throw new EngineError(`extraction stopped before reading: ${who(c)} does not see the same matters as ${who(checked[0])} (see the plan's warnings). Nominate these users on the same restricted matters in Actionstep, or remove the sign-in from the configuration, then run \`discover\` again.`);
  }
}
