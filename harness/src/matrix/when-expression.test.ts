import { describe, expect, it } from 'vitest';
import { evaluateWhen } from './when-expression.ts';

describe('reading when: conditions on axis variables', () => {
  const vars = { container_runtime: 'containerd', network_plugin: 'flannel', kube_version: '1.34.4' };

  it('decides comparisons, membership and logic on axis variables', () => {
    expect(evaluateWhen("container_runtime == 'containerd'", vars)).toBe(true);
    expect(evaluateWhen("container_runtime != 'containerd'", vars)).toBe(false);
    expect(evaluateWhen("network_plugin in ['bridge', 'flannel']", vars)).toBe(true);
    expect(evaluateWhen('network_plugin not in ["flannel"]', vars)).toBe(false);
    expect(evaluateWhen("not (container_runtime == 'crio' or network_plugin == 'bridge')", vars)).toBe(true);
    expect(evaluateWhen(["container_runtime == 'containerd'", "network_plugin == 'bridge'"], vars)).toBe(
      false,
    );
  });

  it('leaves undecided what depends on anything else, unless logic decides it anyway', () => {
    expect(evaluateWhen('kubelet_joined.stat.exists', vars)).toBeUndefined();
    expect(evaluateWhen('etcd_current_config.content is not defined', vars)).toBeUndefined();
    expect(evaluateWhen("registered | length > 0 and container_runtime == 'crio'", vars)).toBeUndefined();
    expect(evaluateWhen("some_fact and container_runtime == 'crio'", vars)).toBe(false);
    expect(evaluateWhen("some_fact or container_runtime == 'containerd'", vars)).toBe(true);
    expect(evaluateWhen(undefined, vars)).toBe(true);
  });
});
