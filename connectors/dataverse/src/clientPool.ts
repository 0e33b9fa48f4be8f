// DataverseClientPool: several application users behind one DataverseApi, so the loader, the sink and the engine keep
// one object. Service protection is evaluated per user (learn api-limits: "limits are evaluated per user"; reference
// dataverse.md §4), so each identity is a DataverseClient with its own Retry-After gate, its own x-ms-dop-hint and its
// own adaptive concurrency driven by its own x-ms-ratelimit-* headers: nothing here assumes a number.
//
// Scheduling: one FIFO queue of requests for the whole pool (no request waits behind one identity). A request goes to
// the identity with the most free room among those whose gate is open; an identity paused by a 429 gets nothing until
// its Retry-After has passed, and the request it refused goes back to the pool for the others. FIFO means no request
// is starved; least-loaded with a rotating start means every open identity gets work.
//
// Sign-in: before the first request every identity is asked WhoAmI (which also reads its DOP hint). If any cannot
// sign in the pool stops with a message naming each one: the admin listed them, the plan counts on them, and a run
// silently short of identities would be slower than promised. An identity whose credentials fail later (a secret
// expires or is revoked mid-run) is retired with a warning naming it and the others carry on; when none is left the
// request fails naming them all.
import { DataverseApi, type ClientStats, type SendOptions, type WhoAmIResult } from './dataverseApi';
import type { DataverseClient } from './dataverseClient';
import { CREDENTIAL_ERROR_CODE, DataverseError, THROTTLE_CODES } from './errors';
import { abortError, type Clock, type HttpRequest, type HttpResponse, type Logger, type OperationOptions } from './types';

export interface PoolIdentity {
  /** How messages name this identity, e.g. `application user 2 (client id 51f8…)`. Never a secret. */
  name: string;
  client: DataverseClient;
}

export interface DataverseClientPoolOptions {
  logger?: Logger;
  /** Default: the first identity's clock (the gates run on it). */
  clock?: Clock;
  /** 429s one request may meet across the pool before it fails. Default 30 (the client's default). */
  maxThrottleRetries?: number;
}

export interface IdentityStatus {
  name: string;
  userId?: string;
  dopHint?: number;
  requests: number;
  throttled: number;
  inFlight: number;
  /** The identity's current adaptive limit. */
  limit: number;
  /** Clock time before which its gate is closed (a Retry-After). */
  pausedUntil: number;
  /** Why it was retired (credentials failed during the run). */
  retired?: string;
}

interface Member {
  name: string;
  client: DataverseClient;
  inFlight: number;
  who?: WhoAmIResult;
  retired?: string;
}

interface Waiter {
  grant: (m: Member) => void;
  fail: (e: unknown) => void;
  abortSignal?: AbortSignal;
  onAbort?: () => void;
}

export class DataverseClientPool extends DataverseApi {
  readonly webApiUrl: string;
  readonly clock: Clock;
  private readonly members: Member[];
  private readonly waiters: Waiter[] = [];
  private readonly logger?: Logger;
  private readonly maxThrottleRetries: number;
  private rotation = 0;
  private rebalanced = 0;
  private connecting?: Promise<void>;
  private wake?: { at: number; abort: AbortController };

  constructor(identities: PoolIdentity[], options: DataverseClientPoolOptions = {}) {
    super();
    if (!identities.length) throw new Error('DataverseClientPool needs at least one application user.');
    const first = identities[0];
    for (const i of identities) {
      if (i.client.webApiUrl !== first.client.webApiUrl)
        throw new Error(`Every application user of a pool must use the same environment: ${i.name} uses ${i.client.webApiUrl}, ${first.name} uses ${first.client.webApiUrl}.`);
      if (identities.filter((j) => j.client === i.client).length > 1) throw new Error(`${i.name}: the same client is listed twice (each identity needs its own client: limits are per user).`);
    }
    this.webApiUrl = first.client.webApiUrl;
    this.clock = options.clock ?? first.client.clock;
    this.members = identities.map((i) => ({ name: i.name, client: i.client, inFlight: 0 }));
    this.logger = options.logger;
    this.maxThrottleRetries = options.maxThrottleRetries ?? 30;
  }

  /** Every request of every identity (retries included), plus the pool's own re-dispatches after a 429. */
  get stats(): ClientStats {
    const total: ClientStats = { requests: 0, retries: this.rebalanced, throttled: 0, byStatus: {} };
    for (const m of this.members) {
      const s = m.client.stats;
      total.requests += s.requests;
      total.retries += s.retries;
      total.throttled += s.throttled;
      for (const [k, v] of Object.entries(s.byStatus)) total.byStatus[k] = (total.byStatus[k] ?? 0) + v;
    }
    return total;
  }

  /** The sum of the live identities' adaptive limits. */
  get capacity(): number {
    return this.live().reduce((n, m) => n + m.client.capacity, 0);
  }

  override get identityCount(): number {
    return this.live().length;
  }

  identities(): IdentityStatus[] {
    return this.members.map((m) => ({
      name: m.name,
      userId: m.who?.UserId,
      dopHint: m.client.dopHint,
      requests: m.client.stats.requests,
      throttled: m.client.stats.throttled,
      inFlight: m.inFlight,
      limit: m.client.capacity,
      pausedUntil: m.client.gate.resumeAt,
      ...(m.retired ? { retired: m.retired } : {}),
    }));
  }

  /**
   * Signs every identity in (WhoAmI: also reads each one's DOP hint). Runs once; send() calls it first. Throws a
   * DataverseError (status 401, code CredentialError when a sign-in was refused) naming every identity that failed.
   */
  connect(options: OperationOptions = {}): Promise<void> {
    this.connecting ??= (async () => {
      const outcomes = await Promise.allSettled(this.members.map((m) => m.client.whoAmI(options)));
      const failed: string[] = [];
      let credential = false;
      outcomes.forEach((o, i) => {
        if (o.status === 'fulfilled') this.members[i].who = o.value;
        else {
          const e = o.reason as Error;
          if (e?.name === 'AbortError') throw e;
          credential ||= signInRefused(e);
          failed.push(`${this.members[i].name}: ${e?.message ?? String(e)}`);
        }
      });
      if (failed.length) {
        const n = this.members.length;
        throw new DataverseError(
          `${failed.length} of ${n} Dataverse application user${n === 1 ? '' : 's'} could not sign in; fix ${failed.length === 1 ? 'it' : 'them'} or remove ${failed.length === 1 ? 'it' : 'them'} from the configuration:\n  - ${failed.join('\n  - ')}`,
          { status: credential ? 401 : 0, code: credential ? CREDENTIAL_ERROR_CODE : 'SignInFailed' },
        );
      }
    })();
    // A failed start can be tried again (after the admin fixes the configuration, or an outage passes).
    this.connecting.catch(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The first identity's WhoAmI (the caller the plan names as the fallback owner); every identity is signed in. */
  async whoAmI(options: OperationOptions = {}): Promise<WhoAmIResult> {
    await this.connect(options);
    const m = this.live()[0] ?? this.members[0];
    return m.who!;
  }

  async send(method: HttpRequest['method'], path: string, options: SendOptions = {}): Promise<HttpResponse> {
    await this.connect(options);
    let throttled = 0;
    for (let attempt = 0; ; attempt++) {
      // A request handed back (429, retired identity) waits at the head of the queue: it is the oldest.
      const member = await this.acquire(options.abortSignal, attempt > 0);
      try {
        // The member takes its own pause on a 429 and hands the request back, so another identity can send it.
        return await member.client.send(method, path, { ...options, retryThrottled: false });
      } catch (e) {
        if (e instanceof DataverseError && isThrottle(e) && throttled < this.maxThrottleRetries) {
          throttled++;
          this.rebalanced++;
          continue;
        }
        if (e instanceof DataverseError && signInRefused(e)) {
          this.retire(member, e);
          if (this.live().length) continue;
          throw this.noneLeft();
        }
        throw e;
      } finally {
        this.release(member);
      }
    }
  }

  // ---------------------------------------------------------------- scheduling

  private live(): Member[] {
    return this.members.filter((m) => !m.retired);
  }

  private retire(m: Member, e: DataverseError): void {
    if (m.retired) return;
    m.retired = e.message;
    const rest = this.live().length;
    this.logger?.warn?.(
      rest
        ? `Dataverse application user ${m.name} can no longer sign in (${e.message}); its requests go to the other ${rest}.`
        : `Dataverse application user ${m.name} can no longer sign in (${e.message}); no other application user is left.`,
      { identity: m.name },
    );
  }

  private noneLeft(): DataverseError {
    return new DataverseError(
      `No Dataverse application user can sign in any more:\n  - ${this.members.map((m) => `${m.name}: ${m.retired ?? 'retired'}`).join('\n  - ')}`,
      { status: 401, code: CREDENTIAL_ERROR_CODE },
    );
  }

  /** The open identity with the most free room (fraction of its limit), starting the search after the last one chosen. */
  private pick(): Member | undefined {
    const now = this.clock.now();
    const n = this.members.length;
    let best: Member | undefined;
    let bestIndex = 0;
    let bestLoad = Infinity;
    for (let k = 0; k < n; k++) {
      const i = (this.rotation + k) % n;
      const m = this.members[i];
      if (m.retired || m.client.gate.resumeAt > now) continue;
      const limit = m.client.capacity;
      if (m.inFlight >= limit) continue;
      const load = m.inFlight / limit;
      if (load < bestLoad) {
        best = m;
        bestIndex = i;
        bestLoad = load;
      }
    }
    if (best) this.rotation = (bestIndex + 1) % n;
    return best;
  }

  private acquire(abortSignal?: AbortSignal, first = false): Promise<Member> {
    if (abortSignal?.aborted) return Promise.reject(abortError());
    if (!this.live().length) return Promise.reject(this.noneLeft());
    if (this.waiters.length === 0) {
      const m = this.pick();
      if (m) {
        m.inFlight++;
        return Promise.resolve(m);
      }
    }
    return new Promise<Member>((grant, fail) => {
      const w: Waiter = { grant, fail, abortSignal };
      if (abortSignal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          fail(abortError());
          this.scheduleWake();
        };
        abortSignal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (first) this.waiters.unshift(w);
      else this.waiters.push(w);
      this.scheduleWake();
    });
  }

  private release(m: Member): void {
    m.inFlight--;
    this.drain();
  }

  private drain(): void {
    if (!this.live().length) {
      const e = this.noneLeft();
      for (const w of this.waiters.splice(0)) this.settle(w).fail(e);
    }
    while (this.waiters.length) {
      const m = this.pick();
      if (!m) break;
      m.inFlight++;
      this.settle(this.waiters.shift()!).grant(m);
    }
    this.scheduleWake();
  }

  private settle(w: Waiter): Waiter {
    if (w.abortSignal && w.onAbort) w.abortSignal.removeEventListener('abort', w.onAbort);
    return w;
  }

  /**
   * Requests are waiting and no identity can take one: the next chance is a release (handled by release()) or a
   * gate reopening after its Retry-After; set one timer for the earliest reopening, cancelled when nobody waits.
   */
  private scheduleWake(): void {
    const now = this.clock.now();
    const reopen = this.waiters.length
      ? Math.min(...this.live().map((m) => m.client.gate.resumeAt).filter((t) => t > now))
      : Infinity;
    if (!Number.isFinite(reopen)) {
      this.wake?.abort.abort();
      this.wake = undefined;
      return;
    }
    if (this.wake && this.wake.at <= reopen) return; // an earlier wake will look again
    this.wake?.abort.abort();
    const wake = { at: reopen, abort: new AbortController() };
    this.wake = wake;
    this.clock.sleep(reopen - now, wake.abort.signal).then(
      () => {
        if (this.wake === wake) this.wake = undefined;
        this.drain();
      },
      () => undefined, // cancelled
    );
  }
}

function isThrottle(e: DataverseError): boolean {
  return e.status === 429 || THROTTLE_CODES.has(e.code);
}

/** The identity cannot sign in: no token (refused or unreachable after retries), or Dataverse keeps answering 401. */
function signInRefused(e: unknown): boolean {
  return e instanceof DataverseError && (e.code === CREDENTIAL_ERROR_CODE || e.status === 401);
}
