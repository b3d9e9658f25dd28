import { describe, expect, it, vi } from 'vitest';
import { EXIT_INFRASTRUCTURE, EXIT_USAGE, KvError } from '../contracts/errors.ts';
import { main, reportError } from './main.ts';

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
