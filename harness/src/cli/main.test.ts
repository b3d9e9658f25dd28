import { describe, expect, it, vi } from 'vitest';
import { EXIT_INFRASTRUCTURE, EXIT_USAGE, KvError } from '../contracts/errors.ts';
import { main, reportError } from './main.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: BEL and ESC are what the test looks for (a terminal acts on them).
const TERMINAL_CONTROL = /[\u0007\u001b]/;

describe('the kvmatrix CLI', () => {
  it('prints help and exits 0', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['--help']);
    const printed = out.mock.calls.map((c) => String(c[0])).join('');
    out.mockRestore();
    expect(code).toBe(0);
    expect(printed).toContain('Usage: kvmatrix');
  });

  it('rejects an unknown command with the usage status', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['no-such-command']);
    err.mockRestore();
    expect(code).toBe(EXIT_USAGE);
  });

  it('prints a KvError as message and hint, without a stack trace', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = reportError(new KvError('INFRASTRUCTURE', 'no VM came up', { hint: 'check podman' }));
    const printed = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    expect(code).toBe(EXIT_INFRASTRUCTURE);
    expect(printed).toBe('kvmatrix: error: no VM came up\n  hint: check podman\n');
  });
});

describe('the error printer', () => {
  const printedBy = (error: unknown, env: Record<string, string> = {}) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = reportError(error);
      return { code, printed: err.mock.calls.map((c) => String(c[0])).join('') };
    } finally {
      err.mockRestore();
      process.env = saved;
    }
  };

  it('masks secret variables and URL passwords in KVMATRIX_DEBUG causes and stacks', () => {
    const token = 'glpat-hardening-8Hq2Rm5Xv9';
    const cause = new Error(`POST https://ci:${token}@gitlab.example.com/api failed with token ${token}`);
    const { printed } = printedBy(new KvError('INFRASTRUCTURE', 'cannot post', { cause }), {
      KVMATRIX_DEBUG: '1',
      CI_JOB_TOKEN: token,
    });
    expect(printed).toContain('cause: Error: POST https://ci:[MASKED]@gitlab.example.com');
    expect(printed).toContain('\n    at '); // the stack is there, in debug mode
    expect(printed).not.toContain(token);
    const internal = printedBy(new Error(`boom ${token}`), { KVMATRIX_DEBUG: '1', MY_API_KEY: token });
    expect(internal.printed).not.toContain(token);
  });

  it('escapes control characters and cuts a 1 MB value in a message', () => {
    const { printed } = printedBy(
      new KvError('NOT_FOUND', `no cell named "\u001b]0;owned\u0007${'x'.repeat(1e6)}"`),
    );
    expect(printed).not.toMatch(TERMINAL_CONTROL);
    expect(printed.length).toBeLessThan(1000);
    expect(printed).toContain('kvmatrix: error: no cell named "\\e]0;owned\\x07xxx');
  });
});
