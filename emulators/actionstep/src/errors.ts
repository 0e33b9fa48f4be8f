// Actionstep error bodies: a single `errors` object (reference §4, captured in S9), and the RFC 6749 bodies the OAuth
// layer uses for token problems (reference §1 "Token errors").
import { randomBytes } from 'node:crypto';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source: { pointer: string | null; parameter: string | null } = { pointer: null, parameter: null },
    readonly meta: unknown = [],
  ) {
    super(`${status} ${code} ${title}: ${detail}`);
  }

  body(): { errors: Record<string, unknown> } {
    return {
      errors: {
        id: randomBytes(16).toString('hex'),
        links: { about: null },
        status: this.status,
        code: this.code,
        title: this.title,
        detail: this.detail,
        source: this.source,
        meta: this.meta,
        rls: null,
      },
    };
  }
}

/** OAuth / bearer-token failure with an RFC 6749 body, not an Actionstep `errors` body. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${status} ${error}: ${description}`);
  }

  body(): Record<string, string> {
    return {
      error: this.error,
      error_description: this.description,
      error_uri: 'https://tools.ietf.org/html/rfc6749#section-7',
    };
  }
}

export const errors = {
  /** Unknown resource: the real API names it capitalised, e.g. "Resource 'Datacollectionrecordvaluesa' does not exist". */
  unknownResource(name: string): ApiError {
    const cap = name.charAt(0).toUpperCase() + name.slice(1);
    return new ApiError(404, 'AS-TBC', 'API Resource Not Found', `Resource '${cap}' does not exist`);
  },
  // AS-1501 for an unknown id is the reference's guess (§ "Best guesses" 8).
  notFound(resource: string, id: string): ApiError {
    return new ApiError(404, 'AS-1501', 'Resource Not Found', `No ${resource} record with id '${id}' exists or is visible to this user`);
  },
  badRequest(detail: string, parameter: string | null = null, pointer: string | null = null): ApiError {
    return new ApiError(400, 'AS-1304', 'Invalid Request', detail, { pointer, parameter });
  },
  badJson(detail: string): ApiError {
    return new ApiError(400, 'AS-1302', 'Invalid JSON Message', detail, { pointer: null, parameter: null }, {
      json: '', json_last_error: 4, json_last_error_msg: 'Syntax error',
    });
  },
  methodNotAllowed(method: string, resource: string): ApiError {
    return new ApiError(405, 'AS-1101', 'Method Not Allowed', `${method} is not supported on '${resource}'`);
  },
  tooManyRequests(): ApiError {
    return new ApiError(429, 'AS-1429', 'Too Many Requests', 'Rate limit exceeded for this session. Retry later with backoff.');
  },
  serverError(status: number): ApiError {
    return new ApiError(status, 'AS-1201', status === 503 ? 'Service Unavailable' : 'Internal Server Error', 'The server could not complete the request.');
  },
};
