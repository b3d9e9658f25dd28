import { describe, expect, it } from 'vitest';
import { resolveStepVars } from './step-vars.ts';

describe('resolveStepVars', () => {
  it('lets step vars win and resolves a whole-value reference to another variable', () => {
    const vars = resolveStepVars(
      { kube_version: '1.34.4', kube_version_previous: '1.33.13', network_plugin: 'bridge' },
      {
        id: 'deploy-old',
        kind: 'deploy',
        playbook: 'cluster.yml',
        checks: [],
        vars: { kube_version: '{{ kube_version_previous }}' },
      },
      { kvmatrix_registry: '10.0.0.1:5000' },
    );
    expect(vars.kube_version).toBe('1.33.13');
    expect(vars.kvmatrix_registry).toBe('10.0.0.1:5000');
    expect(vars.kvmatrix_step).toBe('deploy-old');
  });

  it('passes the nodes of a scale step and leaves other templates to Ansible', () => {
    const vars = resolveStepVars(
      {},
      {
        id: 'add',
        kind: 'scale-up',
        playbook: 'scale.yml',
        checks: [],
        nodes: ['w2'],
        vars: { x: 'a-{{ y }}' },
      },
      {},
    );
    expect(vars.kvmatrix_step_nodes).toEqual(['w2']);
    expect(vars.x).toBe('a-{{ y }}');
  });
});
