// Browser sessions of the organisation's own pages. In a real org the user signs in through Entra ID and the org
// sets its session cookie; every same-origin call of a form script, a web resource or a PCF control then carries it
// (no bearer token). The emulator does not host the sign-in pages: `createSession(email)` stands in for a completed
// sign-in and returns the cookie to give the browser, which page scripts cannot read (HttpOnly).
import { randomBytes } from 'node:crypto';

/** The org's sign-in cookie name (the value is opaque). */
export const SESSION_COOKIE = 'CrmOwinAuth';

export class BrowserSessions {
  private readonly sessions = new Map<string, string>();

  /** A session for a systemuser; returns the cookie value. */
  create(systemUserId: string): string {
    const value = randomBytes(32).toString('base64url');
    this.sessions.set(value, systemUserId);
    return value;
  }

  /** Signs the session out (the next request with its cookie is refused). */
  end(value: string): void {
    this.sessions.delete(value);
  }

  user(value: string): string | undefined {
    return this.sessions.get(value);
  }

  /** The session cookie's value from a Cookie header, if any. */
  fromCookieHeader(header: string | undefined): string | undefined {
    for (const part of (header ?? '').split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === SESSION_COOKIE) return rest.join('=');
    }
    return undefined;
  }
}
