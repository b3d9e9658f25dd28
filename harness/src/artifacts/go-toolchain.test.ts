import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfrastructureError, ToolMissingError } from '../contracts/errors.ts';
import { downloadModule } from './build-go-recipe.ts';
import { classifyGoFailure, findGoToolchain, ModuleVersionMissingError } from './go-toolchain.ts';

describe('classifyGoFailure', () => {
  it('recognises a module version the proxy does not serve', () => {
    const output =
      'go: go.etcd.io/etcd/etcdctl/v3@v3.5.24: reading https://proxy.golang.org/go.etcd.io/etcd/etcdctl/v3/@v/v3.5.24.info: 403 Forbidden\n' +
      '\tserver response: This module version is not available.';
    expect(classifyGoFailure(output)).toEqual({
      missing: { module: 'go.etcd.io/etcd/etcdctl/v3', version: 'v3.5.24' },
    });
  });

  it('recognises an unreachable module proxy as an infrastructure failure', () => {
    const output =
      'go: k8s.io/kubernetes@v1.34.4: Get "https://proxy.golang.org/k8s.io/kubernetes/@v/v1.34.4.info": dial tcp: lookup proxy.golang.org: no such host';
    const error = classifyGoFailure(output);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).message).toContain('module proxy is unreachable');
  });

  it('recognises a full disk', () => {
    const error = classifyGoFailure('write /root/.cache/go-build/ab/cd: no space left on device');
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).hint).toContain('go clean -cache');
  });

  it('leaves a compile error to the caller', () => {
    expect(classifyGoFailure('./main.go:3:2: undefined: foo')).toBeUndefined();
  });
});

describe('findGoToolchain', () => {
  it('names the missing tool and how to install it when there is no go', async () => {
    const env = { ...process.env, PATH: '/nonexistent' };
    const error = await findGoToolchain(env, '/nonexistent/go').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolMissingError);
    expect((error as ToolMissingError).message).toContain('go (the Go toolchain');
    expect((error as ToolMissingError).hint).toContain('install Go');
  });
});

describe('a module version the proxy does not serve', () => {
  it('fails with the versions the proxy does list (asks the real module proxy)', async () => {
    const toolchain = await findGoToolchain();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kvm-artifacts-missing-'));
    try {
      const error = await downloadModule(toolchain, 'go.etcd.io/etcd/etcdctl/v3', 'v3.5.24', dir).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModuleVersionMissingError);
      expect((error as ModuleVersionMissingError).message).toBe(
        'the Go module proxy does not serve go.etcd.io/etcd/etcdctl/v3@v3.5.24',
      );
      expect((error as ModuleVersionMissingError).available).toContain('v3.5.0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
