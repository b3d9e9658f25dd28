import type { FormattedResponse, RequestHandlerFn } from '@gitbeaker/requester-utils';
import type { Redactor } from '../../host/redact.ts';
import { GitLabApiError, hintForStatus } from './gitlab-error.ts';

export interface RetryPolicy {
  // Attempts after the first one.
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

export interface HandlerContext {
  policy: RetryPolicy;
  redact: Redactor;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const retryable = (status: number) => status === 429 || status >= 500;

// Retry-After is either seconds or an HTTP date (RFC 9110 10.2.3).
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

async function readBody(response: Response, asStream: boolean): Promise<FormattedResponse['body']> {
  if (asStream) return response.body as ReadableStream;
  if (response.status === 204) return null;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json') return ((await response.json()) as FormattedResponse['body']) ?? {};
  if (type.startsWith('text/')) return response.text();
  return response.blob();
}

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const detail = parsed.message ?? parsed.error;
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  } catch {
    return text.slice(0, 200);
  }
}

// gitbeaker's request handler, replaced: retries 429 and 5xx (and dropped connections) with
// exponential backoff and jitter, honouring Retry-After; turns failures into GitLabApiError
// whose text has passed through the redactor. Nothing here prints or keeps request headers.
export function createRequestHandler(context: HandlerContext): RequestHandlerFn {
  const sleep = context.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (endpoint, rawOptions) => {
    const options = (rawOptions ?? {}) as {
      prefixUrl?: string;
      searchParams?: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string | FormData;
      signal?: AbortSignal;
      asStream?: boolean;
    };
    const base = options.prefixUrl?.endsWith('/') ? options.prefixUrl : `${options.prefixUrl ?? ''}/`;
    const url = new URL(endpoint, base);
    url.search = options.searchParams ?? '';
    const method = options.method ?? 'GET';
    const what = context.redact(`${method} ${url.pathname}`);
    const { policy } = context;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          ...(options.headers ? { headers: options.headers } : {}),
          ...(options.body !== undefined ? { body: options.body } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        const reason = context.redact(
          error instanceof Error
            ? `${error.message}${error.cause ? ` (${String((error.cause as Error).message ?? error.cause)})` : ''}`
            : String(error),
        );
        if (attempt < policy.retries && !(error instanceof Error && error.name === 'TimeoutError')) {
          const delay = backoff(policy, attempt);
          context.log(
            `GitLab unreachable for ${what}: ${reason}; retrying in ${(delay / 1000).toFixed(1)}s (${attempt + 1}/${policy.retries})`,
          );
          await sleep(delay);
          continue;
        }
        throw new GitLabApiError(
          undefined,
          `GitLab unreachable for ${what}: ${reason}`,
          'check CI_API_V4_URL and the network; retry the job',
        );
      }
      if (response.ok) {
        return {
          body: await readBody(response, options.asStream ?? false),
          headers: Object.fromEntries(response.headers),
          status: response.status,
        };
      }
      if (retryable(response.status) && attempt < policy.retries) {
        const delay = Math.min(
          policy.maxDelayMs,
          parseRetryAfter(response.headers.get('retry-after')) ?? backoff(policy, attempt),
        );
        await response.body?.cancel();
        context.log(
          `GitLab answered ${response.status} to ${what}; retrying in ${(delay / 1000).toFixed(1)}s (${attempt + 1}/${policy.retries})`,
        );
        await sleep(delay);
        continue;
      }
      const detail = context.redact(await describeFailure(response));
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
      throw new GitLabApiError(
        response.status,
        `GitLab answered ${response.status} ${response.statusText || ''}`.trimEnd() +
          ` to ${what}${tries}${detail ? `: ${detail}` : ''}`,
        hintForStatus(response.status),
      );
    }
  };
}
