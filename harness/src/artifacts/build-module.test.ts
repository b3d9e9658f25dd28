import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeReplaces, parseGoMod, publishedVersion, renderGoMod, renderToolsGo } from './build-module.ts';

const fixture = (name: string) => readFileSync(new URL(`test/fixtures/${name}`, import.meta.url), 'utf8');
const kubernetes = fixture('kubernetes-v1.34.4.go.mod');
const etcdServer = fixture('etcd-server-v3.5.24.go.mod');

describe('parseGoMod', () => {
  it('reads block and single-line requires, local and module replaces, go and godebug', () => {
    const parsed = parseGoMod(kubernetes);
    expect(parsed.requires.get('k8s.io/api')).toBe('v0.0.0');
    expect(parsed.requires.get('k8s.io/kubelet')).toBe('v0.0.0');
    expect(parsed.localReplaces).toEqual(['k8s.io/api', 'k8s.io/client-go', 'k8s.io/kubelet']);
    expect(parsed.goDirective).toBe('1.24.0');
    expect(parsed.godebug).toEqual(['default=go1.24']);
  });

  it('ignores FORBIDDEN_DEPENDENCY guards and keeps replacements by another module', () => {
    const parsed = parseGoMod(etcdServer);
    expect(parsed.localReplaces).not.toContain('go.etcd.io/etcd');
    expect(parsed.moduleReplaces).toEqual([
      { from: 'github.com/example/forked', to: 'github.com/example/fork', version: 'v1.2.3' },
    ]);
  });
});

describe('publishedVersion', () => {
  it('maps the v0.0.0 placeholder of a Kubernetes staging module to v0.<minor>.<patch>', () => {
    expect(publishedVersion({ module: 'k8s.io/kubernetes', version: 'v1.34.4' }, 'v0.0.0')).toBe('v0.34.4');
  });

  it('keeps a real required version such as etcd client/v2 v2.305.24', () => {
    expect(publishedVersion({ module: 'go.etcd.io/etcd/server/v3', version: 'v3.5.24' }, 'v2.305.24')).toBe(
      'v2.305.24',
    );
  });
});

describe('renderGoMod', () => {
  it('pins every Kubernetes staging module to its published version', () => {
    const text = renderGoMod({
      name: 'kubernetes',
      roots: [{ module: 'k8s.io/kubernetes', version: 'v1.34.4' }],
      rootGoMods: [kubernetes],
      packages: ['k8s.io/kubernetes/cmd/kubelet'],
    });
    expect(text).toContain('\tk8s.io/kubernetes v1.34.4\n');
    expect(text).toContain('\tk8s.io/api => k8s.io/api v0.34.4\n');
    expect(text).toContain('\tk8s.io/kubelet => k8s.io/kubelet v0.34.4\n');
    expect(text).toContain('go 1.24.0\n');
    expect(text).toContain('godebug default=go1.24\n');
  });

  it('repeats sibling and module replaces of several roots without replacing a root itself', () => {
    const replaces = computeReplaces({
      name: 'etcd',
      roots: [
        { module: 'go.etcd.io/etcd/server/v3', version: 'v3.5.24' },
        { module: 'go.etcd.io/etcd/api/v3', version: 'v3.5.24' },
      ],
      rootGoMods: [etcdServer, ''],
      packages: [],
    });
    expect(replaces.get('go.etcd.io/etcd/client/v2')).toBe('go.etcd.io/etcd/client/v2 v2.305.24');
    expect(replaces.get('go.etcd.io/etcd/raft/v3')).toBe('go.etcd.io/etcd/raft/v3 v3.5.24');
    expect(replaces.has('go.etcd.io/etcd/api/v3')).toBe(false);
    expect(replaces.get('github.com/example/forked')).toBe('github.com/example/fork v1.2.3');
  });
});

describe('renderToolsGo', () => {
  it('imports every main package behind the tools build tag', () => {
    const text = renderToolsGo(['a.example/cmd/x', 'b.example/cmd/y']);
    expect(text.startsWith('//go:build tools\n')).toBe(true);
    expect(text).toContain('\t_ "a.example/cmd/x"\n\t_ "b.example/cmd/y"\n');
  });
});
